// Throws a few hundred random bodies at every accounts and couples form: junk, huge values, missing
// and repeated fields, broken encodings. Every answer must be a 4xx (or a success), never a 5xx, and a
// rejected form comes back as the page with its form and a message.
import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from '../helpers/app';
import {
	Browser,
	PASSWORD,
	SERVER_ENV,
	createCouple,
	invite,
	signUpTherapist,
	type Therapist
} from './accounts-browser';

const app = useApp({ env: SERVER_ENV, seed: false });
const BODIES_PER_FORM = 250;

/** A small seeded generator, so a failure can be replayed with the same bodies. */
function random(seed: number) {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (max: number) => Math.floor(next() * max);
	const pick = <T>(items: readonly T[]) => items[int(items.length)];
	return { next, int, pick };
}

type Random = ReturnType<typeof random>;

function junkValue(r: Random): string {
	const ascii = () =>
		Array.from({ length: r.int(40) }, () => String.fromCharCode(32 + r.int(95))).join('');
	return r.pick([
		() => '',
		() => ' ',
		() => ascii(),
		() => 'x'.repeat(1000 + r.int(60_000)),
		() => '\u0000\u0001\u001f',
		() => '💔🧡 עברית 中文 \u202e',
		() => '\ud800',
		() => "'; drop table users; --",
		() => '<script>alert(1)</script>',
		() => '{"__proto__":{"admin":true}}',
		() => 'on',
		() => String(r.int(10)),
		() => '123456',
		() => 'AAAA-BBBB-CCCC-DDDD',
		() => 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
		() => `someone${r.int(1000)}@example.test`,
		() => '@',
		() => 'a@b',
		() => PASSWORD,
		() => '00000000-0000-4000-8000-000000000000'
	])();
}

function junkBody(r: Random, fields: string[]): { body: BodyInit; type?: string } {
	const names = [
		...fields,
		...fields,
		'extra',
		'',
		'__proto__',
		'constructor',
		'a[]',
		'x'.repeat(300)
	];
	const entries: [string, string][] = [];
	const count = r.int(fields.length + 4);
	for (let i = 0; i < count; i++) entries.push([r.pick(names), junkValue(r)]);
	const kind = r.int(10);
	if (kind === 0) {
		const form = new FormData();
		for (const [k, v] of entries) form.append(k, v);
		if (r.int(2)) form.append(r.pick(fields) || 'file', new Blob(['binary\u0000']), 'f.bin');
		return { body: form };
	}
	if (kind === 1) {
		return {
			body: r.pick(['%', '%%%&&==', '=&=&', 'a=%E0%A4%A', '\u0000\u00ff', '{"email":1}']),
			type: 'application/x-www-form-urlencoded'
		};
	}
	if (kind === 2) return { body: 'email=a', type: 'text/plain' };
	return { body: new URLSearchParams(entries), type: 'application/x-www-form-urlencoded' };
}

interface FormTarget {
	name: string;
	path: () => string;
	fields: string[];
	as: () => Browser;
	/** Whether a rejected body comes back as the page with its form (a dead invite shows none). */
	keepsForm: boolean;
}

let therapist: Therapist;
let enrolling: Browser;
let pendingTotp: Browser;
let coupleId: string;
let inviteToken: string;

beforeAll(async () => {
	const url = app.server.url;
	therapist = await signUpTherapist(url, 'fuzz@example.test');
	enrolling = new Browser(url);
	await enrolling.postForm('/signup', {
		name: 'New',
		email: 'new@example.test',
		password: PASSWORD
	});
	pendingTotp = new Browser(url);
	await pendingTotp.postForm('/login', { email: therapist.email, password: PASSWORD });
	coupleId = await createCouple(therapist.browser);
	inviteToken = await invite(therapist.browser, coupleId, 1);
}, 60_000);

const coupleFields = [
	'label',
	'partner1Name',
	'partner1Email',
	'partner2Name',
	'partner2Email',
	'rolesApply',
	'injured'
];

const targets: FormTarget[] = [
	{
		name: 'sign-in',
		path: () => '/login',
		fields: ['email', 'password', 'sharedDevice'],
		as: () => new Browser(app.server.url),
		keepsForm: true
	},
	{
		name: 'sign-up',
		path: () => '/signup',
		fields: ['name', 'email', 'password'],
		as: () => new Browser(app.server.url),
		keepsForm: true
	},
	{
		name: 'TOTP code',
		path: () => '/login/totp',
		fields: ['code'],
		as: () => pendingTotp,
		keepsForm: true
	},
	{
		name: 'TOTP set-up',
		path: () => '/login/totp/setup',
		fields: ['key', 'code'],
		as: () => enrolling,
		keepsForm: true
	},
	{
		name: 'recovery code',
		path: () => '/login/recovery',
		fields: ['code'],
		as: () => pendingTotp,
		keepsForm: true
	},
	{
		name: 'invite acceptance',
		path: () => `/invite/${inviteToken}`,
		fields: ['email', 'password', 'sharedDevice'],
		as: () => new Browser(app.server.url),
		keepsForm: false
	},
	{
		name: 'unknown invite',
		path: () => '/invite/not-a-token',
		fields: ['email', 'password'],
		as: () => new Browser(app.server.url),
		keepsForm: false
	},
	{
		name: 'new couple',
		path: () => '/app/couples/new',
		fields: coupleFields,
		as: () => therapist.browser,
		keepsForm: true
	},
	{
		name: 'edit couple',
		path: () => `/app/couples/${coupleId}/edit`,
		fields: coupleFields,
		as: () => therapist.browser,
		keepsForm: true
	},
	{
		name: 'invite partner',
		path: () => `/app/couples/${coupleId}?/invite`,
		fields: ['slot'],
		as: () => therapist.browser,
		keepsForm: true
	},
	{
		name: 'revoke invite',
		path: () => `/app/couples/${coupleId}?/revoke`,
		fields: ['slot'],
		as: () => therapist.browser,
		keepsForm: true
	},
	{
		name: 'sign out other devices',
		path: () => '/app/account?/signOutOthers',
		fields: [],
		as: () => therapist.browser,
		keepsForm: true
	}
];

describe('random bodies at every form', () => {
	for (const [index, target] of targets.entries()) {
		it(`${target.name}: never a 5xx, and a rejection keeps the form with a message`, async () => {
			const r = random(1000 + index);
			const statuses = new Map<number, number>();
			for (let i = 0; i < BODIES_PER_FORM; i++) {
				const { body, type } = junkBody(r, target.fields);
				const enhanced = r.int(8) === 0;
				const headers: Record<string, string> = enhanced
					? { accept: 'application/json', 'x-sveltekit-action': 'true' }
					: { accept: 'text/html' };
				if (type) headers['content-type'] = type;
				const response = await target
					.as()
					.request(target.path(), { method: 'POST', body, headers });
				const text = await response.text();
				const label = `${target.name} #${i} → ${response.status}`;
				statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
				expect(response.status, label).toBeLessThan(500);
				if (enhanced && response.status === 200) {
					expect(JSON.parse(text).type, label).not.toBe('error');
				}
				if (
					!enhanced &&
					response.status >= 400 &&
					response.status !== 404 &&
					response.status !== 413
				) {
					if (target.keepsForm) expect(text, label).toContain('<form');
					expect(text, label).toMatch(/role="alert"|class="error-text|class="notice/);
				}
			}
			expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
		}, 120_000);
	}
});
