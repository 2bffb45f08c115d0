// Throws a few hundred random bodies at every form action of the app: junk, huge values, missing and
// repeated fields, broken encodings, malformed multipart. Every answer must be a 4xx (or a success),
// never a 5xx or a stack trace, and a rejected form comes back as the page with its form and a message.
// Then every route with an id is asked for ids that are not UUIDs: each answers 404.
import { beforeAll, describe, expect, it } from 'vitest';
import { io as connectClient } from 'socket.io-client';
import { useApp } from '../helpers/app';
import { testExercise } from '../helpers/exercise-fixture';
import {
	Browser,
	PASSWORD,
	SERVER_ENV,
	acceptInvite,
	createCouple,
	invite,
	signUpTherapist,
	type Therapist
} from './accounts-browser';

const app = useApp({ env: SERVER_ENV, seed: false });
// 42 forms: 100 seeded random bodies each keeps the file near a minute per database while still
// sending every kind of junk body (junkBody draws its kind first) to every form many times.
const BODIES_PER_FORM = 100;

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

/** A multipart body that cannot be parsed: no boundary, the wrong one, cut short, or no parts at all. */
function malformedMultipart(r: Random, fields: string[]): { body: BodyInit; type: string } {
	const name = r.pick(fields) || 'field';
	const part = `--b0undary\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${junkValue(r)}`;
	return r.pick([
		() => ({ body: part, type: 'multipart/form-data' }),
		() => ({ body: part, type: 'multipart/form-data; boundary=' }),
		() => ({ body: `${part}\r\n--b0undary--\r\n`, type: 'multipart/form-data; boundary=other' }),
		() => ({ body: part, type: 'multipart/form-data; boundary=b0undary' }),
		() => ({ body: '--b0undary\r\n\r\n', type: 'multipart/form-data; boundary=b0undary' }),
		() => ({ body: 'x'.repeat(r.int(5000)), type: 'multipart/form-data; boundary=b0undary' }),
		() => ({
			body: `--b0undary\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--b0undary--\r\n`,
			type: 'multipart/form-data; boundary=b0undary'
		})
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
	if (kind === 3) return malformedMultipart(r, fields);
	return { body: new URLSearchParams(entries), type: 'application/x-www-form-urlencoded' };
}

interface FormTarget {
	name: string;
	path: () => string;
	fields: string[];
	as: () => Browser;
	/** Whether a rejected body comes back as the page with its form (a dead invite shows none). */
	keepsForm: boolean;
	/** Whether the page says what was wrong in an alert or notice (some answers only redirect). */
	showsMessage?: boolean;
}

let therapist: Therapist;
/** A second therapist, for the one action that signs every session of its account out. */
let leaving: Therapist;
let enrolling: Browser;
let pendingTotp: Browser;
let partner: Browser;
/** A partner of a couple of their own, whose account page the fuzz changes (name, email, password…). */
let accountHolder: Browser;
let coupleId: string;
/** A couple that is archived and restored by the fuzz, so the others keep their state. */
let spareCoupleId: string;
let inviteToken: string;
let homeworkId: string;
let liveId: string;
let noteId: string;
let definitionId: string;
let spareDefinitionId: string;
let builtInId: string;

/** The id in a redirect's location, after the given path. */
function idAfter(response: Response, prefix: string) {
	const id = response.headers.get('location')?.match(new RegExp(`^${prefix}([0-9a-f-]{36})`))?.[1];
	if (!id) throw new Error(`expected a redirect to ${prefix}<id>, got ${response.status}`);
	return id;
}

async function customExercise(title: string) {
	const { key: _key, ...draft } = testExercise;
	const response = await therapist.browser.postForm('/app/library/new', {
		definition: JSON.stringify({ ...draft, title })
	});
	return idAfter(response, '/app/library/');
}

async function assign(mode: 'homework' | 'live') {
	const response = await therapist.browser.postForm(`/app/couples/${coupleId}/assign`, {
		definitionId,
		mode,
		dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
		note: ''
	});
	return idAfter(response, mode === 'live' ? '/live/' : `/app/couples/${coupleId}/assignments/`);
}

beforeAll(async () => {
	const url = app.server.url;
	therapist = await signUpTherapist(url, 'fuzz@example.test');
	leaving = await signUpTherapist(url, 'leaving@example.test');
	enrolling = new Browser(url);
	await enrolling.postForm('/signup', {
		name: 'New',
		email: 'new@example.test',
		password: PASSWORD
	});
	pendingTotp = new Browser(url);
	await pendingTotp.postForm('/login', { email: therapist.email, password: PASSWORD });
	coupleId = await createCouple(therapist.browser);
	spareCoupleId = await createCouple(therapist.browser, { label: 'Spare' });
	inviteToken = await invite(therapist.browser, coupleId, 1);
	partner = await acceptInvite(url, await invite(therapist.browser, coupleId, 2), 'p@example.test');
	const accountCouple = await createCouple(therapist.browser, { label: 'Account page' });
	accountHolder = await acceptInvite(
		url,
		await invite(therapist.browser, accountCouple, 1),
		'holder@example.test'
	);
	definitionId = await customExercise('Fuzzed lines');
	spareDefinitionId = await customExercise('Archived by the fuzz');
	const library = await (await therapist.browser.get('/app/library')).text();
	builtInId = [...library.matchAll(/\/app\/library\/([0-9a-f-]{36})/g)]
		.map((m) => m[1])
		.find((id) => id !== definitionId && id !== spareDefinitionId)!;
	homeworkId = await assign('homework');
	liveId = await assign('live');
	noteId = idAfter(
		await therapist.browser.postForm(`/app/couples/${coupleId}/notes`, {
			kind: 'progress',
			template: 'soap',
			sessionDate: '2026-01-05'
		}),
		`/app/couples/${coupleId}/notes/`
	);
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

const asTherapist = () => therapist.browser;
const accountFields = {
	name: ['name'],
	email: ['email', 'emailPassword'],
	password: ['currentPassword', 'newPassword'],
	timeZone: ['timeZone'],
	sharedDevice: ['sharedDevice'],
	reminders: ['emailReminders'],
	signOutOthers: []
};
const noteFields = ['subjective', 'objective', 'assessment', 'plan', 'text'];

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
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'edit couple',
		path: () => `/app/couples/${coupleId}/edit`,
		fields: coupleFields,
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'invite partner',
		path: () => `/app/couples/${coupleId}?/invite`,
		fields: ['slot'],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'revoke invite',
		path: () => `/app/couples/${coupleId}?/revoke`,
		fields: ['slot'],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'partners’ progress page switch',
		path: () => `/app/couples/${coupleId}?/progress`,
		fields: ['visible'],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'archive couple',
		path: () => `/app/couples/${spareCoupleId}?/archive`,
		fields: [],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'restore couple',
		path: () => `/app/couples/${spareCoupleId}?/restore`,
		fields: [],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'assign an exercise',
		path: () => `/app/couples/${coupleId}/assign`,
		fields: ['definitionId', 'mode', 'dueAt', 'note'],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'send a reminder',
		path: () => `/app/couples/${coupleId}/assignments/${homeworkId}?/nudge`,
		fields: ['partnerId'],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'new note',
		path: () => `/app/couples/${coupleId}/notes`,
		fields: ['kind', 'template', 'sessionDate'],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'save a note',
		path: () => `/app/couples/${coupleId}/notes/${noteId}?/save`,
		fields: noteFields,
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'sign a note',
		path: () => `/app/couples/${coupleId}/notes/${noteId}?/sign`,
		fields: noteFields,
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'add an addendum',
		path: () => `/app/couples/${coupleId}/notes/${noteId}?/addendum`,
		fields: ['text'],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'room notes',
		path: () => `/live/${liveId}?/notes`,
		fields: ['text'],
		as: asTherapist,
		// The room's notes autosave from script: a refusal is read by the page's own code.
		keepsForm: false,
		showsMessage: false
	},
	{
		name: 'new exercise',
		path: () => '/app/library/new',
		fields: ['definition'],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'edit exercise',
		path: () => `/app/library/${definitionId}/edit`,
		fields: ['definition'],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'archive exercise',
		path: () => `/app/library/${spareDefinitionId}?/archive`,
		fields: [],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'acknowledge a safety flag',
		path: () => '/app/safety?/acknowledge',
		fields: ['flagId', 'redirectTo', 'action', 'note'],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'crisis resources',
		path: () => '/app/safety?/resources',
		fields: ['name-0', 'phone-0', 'textLine-0', 'url-0', 'name-1', 'url-4'],
		as: asTherapist,
		keepsForm: true
	},
	{
		name: 'forgot password (no email set up)',
		path: () => '/login/forgot',
		fields: ['email'],
		as: () => new Browser(app.server.url),
		// Without SMTP_URL the page says to ask the therapist instead of showing the form.
		keepsForm: false
	},
	{
		name: 'new password from a reset link',
		path: () => `/login/reset/${'a'.repeat(40)}`,
		fields: ['password'],
		as: () => new Browser(app.server.url),
		keepsForm: false
	},
	{
		name: 'password reset link for a partner',
		path: () => `/app/couples/${coupleId}/password-reset`,
		fields: ['slot'],
		as: asTherapist,
		keepsForm: true
	},
	...(['name', 'email', 'password', 'timeZone'] as const).map((action) => ({
		name: `therapist account: ${action}`,
		path: () => `/app/account?/${action}`,
		fields: accountFields[action],
		as: asTherapist,
		keepsForm: true
	})),
	...(
		['name', 'email', 'password', 'timeZone', 'sharedDevice', 'reminders', 'signOutOthers'] as const
	).map((action) => ({
		name: `partner account: ${action}`,
		path: () => `/c/account?/${action}`,
		fields: accountFields[action],
		as: () => accountHolder,
		keepsForm: true
	})),
	{
		name: 'sign out every device',
		path: () => '/app/account?/signOutEverywhere',
		fields: [],
		as: () => leaving.browser,
		keepsForm: true
	},
	{
		name: 'sign out other devices',
		path: () => '/app/account?/signOutOthers',
		fields: [],
		as: asTherapist,
		keepsForm: true
	}
];

/** What a server shows only when something broke inside it. */
const STACK_TRACE = /\bat [\w.<>]+ \(|\.js:\d+:\d+|node_modules|Internal Error/;

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
				expect(text, label).not.toMatch(STACK_TRACE);
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
					if (target.showsMessage !== false)
						expect(text, label).toMatch(/role="alert"|class="error-text|class="notice/);
				}
			}
			expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
		}, 120_000);
	}
});

/** Ids that are not UUIDs: the length of one but only dashes, letters past f, and plain junk. */
const NOT_IDS = [
	'------------------------------------',
	'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
	'00000000-0000-0000-0000-00000000000g',
	'000000000000000000000000000000000000',
	'0000000-00000-0000-0000-000000000000',
	'x',
	'new-',
	'%00',
	'a'.repeat(400),
	"1'%20or%20'1'%3D'1",
	'..%2F..%2Fhealthz'
];
/** A well-formed id that names nothing. */
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

interface IdRoute {
	name: string;
	/** The path with this id in the position under test. */
	path: (id: string) => string;
	as: () => Browser;
	method?: 'GET' | 'POST';
	body?: () => { body: BodyInit; type: string };
}

const form = (fields: Record<string, string>) => ({
	body: new URLSearchParams(fields).toString(),
	type: 'application/x-www-form-urlencoded'
});
const answer = () => ({
	body: JSON.stringify({ action: 'answer', opId: 'fuzz-op-0001', itemId: 'hope', value: 'x' }),
	type: 'application/json'
});

const idRoutes: IdRoute[] = [
	{ name: 'couple page', path: (id) => `/app/couples/${id}`, as: asTherapist },
	{ name: 'edit couple', path: (id) => `/app/couples/${id}/edit`, as: asTherapist },
	{ name: 'assign page', path: (id) => `/app/couples/${id}/assign`, as: asTherapist },
	{ name: 'audit trail', path: (id) => `/app/couples/${id}/audit`, as: asTherapist },
	{ name: 'export', path: (id) => `/app/couples/${id}/export?format=csv`, as: asTherapist },
	{ name: 'notes list', path: (id) => `/app/couples/${id}/notes`, as: asTherapist },
	{ name: 'a note (couple)', path: (id) => `/app/couples/${id}/notes/${noteId}`, as: asTherapist },
	{ name: 'a note', path: (id) => `/app/couples/${coupleId}/notes/${id}`, as: asTherapist },
	{
		name: 'results (couple)',
		path: (id) => `/app/couples/${id}/assignments/${homeworkId}`,
		as: asTherapist
	},
	{ name: 'results', path: (id) => `/app/couples/${coupleId}/assignments/${id}`, as: asTherapist },
	{ name: 'an exercise', path: (id) => `/app/library/${id}`, as: asTherapist },
	{ name: 'edit an exercise', path: (id) => `/app/library/${id}/edit`, as: asTherapist },
	{ name: 'homework', path: (id) => `/c/assignments/${id}`, as: () => partner },
	{ name: 'an agreement', path: (id) => `/c/agreements/${id}`, as: () => partner },
	{ name: 'live room (partner)', path: (id) => `/live/${id}`, as: () => partner },
	{ name: 'live room (therapist)', path: (id) => `/live/${id}`, as: asTherapist },
	{ name: 'answers API', path: (id) => `/api/assignments/${id}/answers`, as: () => partner },
	{
		name: 'POST answers API',
		path: (id) => `/api/assignments/${id}/answers`,
		as: () => partner,
		method: 'POST',
		body: answer
	},
	{
		name: 'POST invite',
		path: (id) => `/app/couples/${id}?/invite`,
		as: asTherapist,
		method: 'POST',
		body: () => form({ slot: '1' })
	},
	{
		name: 'POST password reset link',
		path: (id) => `/app/couples/${id}/password-reset`,
		as: asTherapist,
		method: 'POST',
		body: () => form({ slot: '1' })
	},
	{
		name: 'POST edit couple',
		path: (id) => `/app/couples/${id}/edit`,
		as: asTherapist,
		method: 'POST',
		body: () => form({ partner1Name: 'A', partner2Name: 'B' })
	},
	{
		name: 'POST archive',
		path: (id) => `/app/couples/${id}?/archive`,
		as: asTherapist,
		method: 'POST',
		body: () => form({})
	},
	{
		name: 'POST assign',
		path: (id) => `/app/couples/${id}/assign`,
		as: asTherapist,
		method: 'POST',
		body: () => form({ mode: 'live', definitionId: builtInId })
	},
	{
		name: 'POST new note',
		path: (id) => `/app/couples/${id}/notes`,
		as: asTherapist,
		method: 'POST',
		body: () => form({ kind: 'progress', template: 'soap', sessionDate: '2026-01-05' })
	},
	{
		name: 'POST save note',
		path: (id) => `/app/couples/${coupleId}/notes/${id}?/save`,
		as: asTherapist,
		method: 'POST',
		body: () => form({ subjective: 'x' })
	},
	{
		name: 'POST sign note',
		path: (id) => `/app/couples/${coupleId}/notes/${id}?/sign`,
		as: asTherapist,
		method: 'POST',
		body: () => form({ subjective: 'x' })
	},
	{
		name: 'POST nudge',
		path: (id) => `/app/couples/${coupleId}/assignments/${id}?/nudge`,
		as: asTherapist,
		method: 'POST',
		body: () => form({ partnerId: NO_SUCH_ID })
	},
	{
		name: 'POST room notes',
		path: (id) => `/live/${id}?/notes`,
		as: asTherapist,
		method: 'POST',
		body: () => form({ text: 'x' })
	},
	{
		name: 'POST edit exercise',
		path: (id) => `/app/library/${id}/edit`,
		as: asTherapist,
		method: 'POST',
		body: () => form({ definition: '{}' })
	},
	{
		name: 'POST archive exercise',
		path: (id) => `/app/library/${id}?/archive`,
		as: asTherapist,
		method: 'POST',
		body: () => form({})
	}
];

describe('every route with an id, given one that is not', () => {
	for (const route of idRoutes) {
		it(`${route.name}: 404 for an id that is not a UUID or names nothing, never a 5xx`, async () => {
			for (const id of [...NOT_IDS, NO_SUCH_ID]) {
				const { body, type } = route.body?.() ?? { body: undefined, type: undefined };
				const response = await route.as().request(route.path(id), {
					method: route.method ?? 'GET',
					body,
					headers: { accept: 'text/html', ...(type ? { 'content-type': type } : {}) }
				});
				const text = await response.text();
				const label = `${route.name} with "${id.slice(0, 40)}" → ${response.status}`;
				expect(response.status, label).toBe(404);
				expect(text, label).not.toMatch(STACK_TRACE);
			}
		});
	}

	it('keeps ids that are not UUIDs out of forms: an exercise, a partner and a safety flag', async () => {
		for (const id of NOT_IDS.slice(0, 5)) {
			const assigned = await therapist.browser.postForm(`/app/couples/${coupleId}/assign`, {
				mode: 'live',
				definitionId: id
			});
			expect(assigned.status, `assign ${id}`).toBe(400);
			expect(await assigned.text()).toContain('Choose an exercise');
			const nudged = await therapist.browser.postForm(
				`/app/couples/${coupleId}/assignments/${homeworkId}?/nudge`,
				{ partnerId: id }
			);
			expect(nudged.status, `nudge ${id}`).toBe(400);
			const acknowledged = await therapist.browser.postForm('/app/safety?/acknowledge', {
				flagId: id
			});
			expect(acknowledged.status, `acknowledge ${id}`).toBe(404);
		}
	});

	it('answers a socket that names a room by an id that is not a UUID with not-found', async () => {
		const socket = connectClient(`${app.server.url}/live`, {
			transports: ['websocket'],
			extraHeaders: { cookie: partner.cookieHeader },
			reconnection: false
		});
		try {
			await new Promise<void>((resolve, reject) => {
				socket.once('connect', () => resolve());
				socket.once('connect_error', reject);
			});
			// Fewer messages than the per-second limit, so every answer is about the id.
			for (const id of [...NOT_IDS, NO_SUCH_ID, 42, null]) {
				const joined = await socket.emitWithAck('room:join', { assignmentId: id as string });
				expect(joined, `room:join ${String(id).slice(0, 40)}`).toMatchObject({
					ok: false,
					error: { code: 'not-found' }
				});
			}
			for (const id of NOT_IDS.slice(0, 4)) {
				const listed = await socket.emitWithAck('presence:list', { coupleId: id });
				expect(listed, `presence:list ${id}`).toMatchObject({
					ok: false,
					error: { code: 'not-found' }
				});
			}
		} finally {
			socket.disconnect();
		}
	});
});
