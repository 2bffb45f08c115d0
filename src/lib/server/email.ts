// Outgoing email through nodemailer. Only when SMTP_URL is set; otherwise nothing is sent and callers show the link instead.
import nodemailer, { type Transporter } from 'nodemailer';

let cached: { url: string; transport: Transporter } | null = null;

function transport(): Transporter | null {
	const url = process.env.SMTP_URL?.trim();
	if (!url) return null;
	if (cached?.url !== url) cached = { url, transport: nodemailer.createTransport(url) };
	return cached.transport;
}

export function isEmailConfigured(): boolean {
	return !!process.env.SMTP_URL?.trim();
}

const from = () => process.env.SMTP_FROM?.trim() || 'Trellis <no-reply@trellis.invalid>';

export interface InviteEmail {
	to: string;
	partnerName: string;
	therapistName: string;
	link: string;
	expiresAt: Date;
}

export type SendResult = 'sent' | 'not-configured' | 'failed';

export async function sendInvite(message: InviteEmail): Promise<SendResult> {
	const smtp = transport();
	if (!smtp) return 'not-configured';
	const expires = message.expiresAt.toLocaleDateString('en-US', {
		weekday: 'long',
		month: 'long',
		day: 'numeric'
	});
	try {
		await smtp.sendMail({
			from: from(),
			to: message.to,
			subject: `${message.therapistName} invited you to Trellis`,
			text: [
				`Hello ${message.partnerName},`,
				'',
				`${message.therapistName} invited you to Trellis, where you will find the exercises for your sessions together.`,
				'',
				`Open this link to set your password (it works once, until ${expires}):`,
				message.link,
				'',
				'If you did not expect this email, you can ignore it.'
			].join('\n')
		});
		return 'sent';
	} catch (error) {
		// The address or server may be wrong; the therapist still has the link to copy.
		console.error(`[email] invite not sent: ${error instanceof Error ? error.message : 'unknown'}`);
		return 'failed';
	}
}
