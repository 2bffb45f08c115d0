// A small cookie-keeping HTTP client that submits forms the way a browser does (Origin header for SvelteKit's CSRF check).
import { unusedTotpCode } from './totp';

export class HttpClient {
	cookies = new Map<string, string>();
	constructor(readonly base: string) {}

	get cookieHeader() {
		return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
	}

	private remember(response: Response) {
		for (const line of response.headers.getSetCookie()) {
			const [pair, ...attributes] = line.split(';');
			const eq = pair.indexOf('=');
			const name = pair.slice(0, eq).trim();
			const value = pair.slice(eq + 1).trim();
			const expired = attributes.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()));
			if (expired || value === '') this.cookies.delete(name);
			else this.cookies.set(name, value);
		}
	}

	async request(path: string, init: RequestInit = {}) {
		const headers = new Headers(init.headers);
		if (this.cookies.size) headers.set('cookie', this.cookieHeader);
		headers.set('origin', this.base);
		const response = await fetch(this.base + path, { redirect: 'manual', ...init, headers });
		this.remember(response);
		return response;
	}

	get(path: string) {
		return this.request(path);
	}

	/** Posts a form (urlencoded) as a browser without JavaScript would. */
	postForm(path: string, fields: Record<string, string> | URLSearchParams) {
		const body = fields instanceof URLSearchParams ? fields : new URLSearchParams(fields);
		return this.request(path, {
			method: 'POST',
			body,
			headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }
		});
	}

	async signIn(email: string, password: string, totpSecret?: string) {
		const response = await this.postForm('/login', { email, password });
		if (response.status !== 303) throw new Error(`sign-in failed with ${response.status}`);
		if (totpSecret) {
			const verify = await this.postForm('/login/totp', { code: await totpCode(totpSecret) });
			if (verify.status !== 303) throw new Error(`TOTP failed with ${verify.status}`);
		}
		return this;
	}
}

/** A code the server has not accepted yet for this secret (see ./totp.ts). */
export const totpCode = unusedTotpCode;
