// QR codes as SVG data URIs (an <img> the CSP allows), for authenticator set-up and invite links.
import { renderSVG } from 'uqr';

export function qrDataUri(text: string): string {
	const svg = renderSVG(text, { border: 2, pixelSize: 6 });
	return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
