// Drives Trellis over HTTP the way a browser without JavaScript would: each Browser has its own
// cookies and its own client address (the test server trusts X-Forwarded-For via ADDRESS_HEADER).
import { HttpClient, totpCode } from '../helpers/http';

export const SERVER_ENV = { ADDRESS_HEADER: 'x-forwarded-for' };
export const PASSWORD = 'a long and unusual passphrase';

let nextIp = 1;

export class Browser extends HttpClient {
	constructor(
		base: string,
		readonly ip = `10.${(nextIp >> 16) & 255}.${(nextIp >> 8) & 255}.${nextIp++ & 255}`
	) {
		super(base);
	}

	override request(path: string, init: RequestInit = {}) {
		const headers = new Headers(init.headers);
		headers.set('x-forwarded-for', this.ip);
		return super.request(path, { ...init, headers });
	}

	async html(path: string) {
		const response = await this.get(path);
		return { status: response.status, body: await response.text(), response };
	}
}

export function hiddenValue(html: string, name: string) {
	return html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`))?.[1] ?? null;
}

export function inviteTokens(html: string) {
	return [...html.matchAll(/\/invite\/([a-z2-7]{40})/g)].map((m) => m[1]);
}

export interface Therapist {
	browser: Browser;
	secret: string;
	recoveryCode: string;
	email: string;
}

/** Signs a therapist up and enrols TOTP, reading the key from the set-up page like a person would. */
export async function signUpTherapist(
	base: string,
	email: string,
	name = 'Dr. Test'
): Promise<Therapist> {
	const browser = new Browser(base);
	const signUp = await browser.postForm('/signup', { name, email, password: PASSWORD });
	if (signUp.status !== 303) throw new Error(`sign-up answered ${signUp.status}`);
	const setup = await browser.html('/login/totp/setup');
	const secret = hiddenValue(setup.body, 'key');
	if (!secret) throw new Error('no TOTP key on the set-up page');
	const confirm = await browser.postForm('/login/totp/setup', {
		key: secret,
		code: await totpCode(secret)
	});
	const body = await confirm.text();
	const recoveryCode = body.match(/[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}/)?.[0];
	if (confirm.status !== 200 || !recoveryCode)
		throw new Error(`enrolment answered ${confirm.status}`);
	return { browser, secret, recoveryCode, email };
}

export async function createCouple(
	therapist: Browser,
	fields: Record<string, string> = {}
): Promise<string> {
	const response = await therapist.postForm('/app/couples/new', {
		label: 'Alex & Sam',
		partner1Name: 'Alex',
		partner1Email: '',
		partner2Name: 'Sam',
		partner2Email: '',
		rolesApply: 'on',
		injured: '1',
		...fields
	});
	const id = response.headers.get('location')?.match(/\/app\/couples\/([0-9a-f-]{36})$/)?.[1];
	if (response.status !== 303 || !id)
		throw new Error(`creating a couple answered ${response.status}`);
	return id;
}

export async function invite(therapist: Browser, coupleId: string, slot: 1 | 2) {
	const response = await therapist.postForm(`/app/couples/${coupleId}?/invite`, {
		slot: String(slot)
	});
	const token = inviteTokens(await response.text())[0];
	if (response.status !== 200 || !token) throw new Error(`inviting answered ${response.status}`);
	return token;
}

export async function acceptInvite(base: string, token: string, email: string) {
	const partner = new Browser(base);
	const response = await partner.postForm(`/invite/${token}`, { email, password: PASSWORD });
	if (response.status !== 303) throw new Error(`accepting answered ${response.status}`);
	return partner;
}
