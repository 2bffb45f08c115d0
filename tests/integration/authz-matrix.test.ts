// The authorization matrix over every route the app has: each page and endpoint under src/routes is
// found on disk (a new route is covered the day it is added), filled in with the ids of one demo
// couple, and asked by every kind of caller, by GET and by POST. Then every socket event, by each.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectClient, type Socket } from 'socket.io-client';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import { useApp } from '../helpers/app';
import { testExercise } from '../helpers/exercise-fixture';
import { Browser, SERVER_ENV, signUpTherapist } from './accounts-browser';

const app = useApp({ env: SERVER_ENV });

type Actor = 'anonymous' | 'preTotp' | 'therapistA' | 'therapistB' | 'partnerA' | 'partnerB';
const ACTORS: Actor[] = [
	'anonymous',
	'preTotp',
	'therapistA',
	'therapistB',
	'partnerA',
	'partnerB'
];
let actors: Record<Actor, Browser>;
let ids: Record<string, string>;

interface Route {
	id: string;
	endpoint: boolean;
	/** A page's form actions ('default' or their names), read from its +page.server.ts. */
	actions: string[];
}

/**
 * Every page (+page.svelte) and endpoint (+server.ts) route id, as SvelteKit names them, with each
 * page's form actions as its module exports them (so actions a page spreads in from a shared module,
 * like the account pages', are walked too).
 */
async function routeIds(): Promise<Route[]> {
	const root = path.resolve(import.meta.dirname, '../../src/routes');
	const found: Route[] = [];
	for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
		const file = path.basename(entry);
		if (file !== '+page.svelte' && file !== '+server.ts') continue;
		const dir = path.dirname(entry);
		const id = dir === '.' ? '/' : '/' + dir.split(path.sep).join('/');
		let actions: string[] = [];
		const server = path.join(root, dir, '+page.server.ts');
		if (file === '+page.svelte' && existsSync(server)) {
			const module = (await import(/* @vite-ignore */ server)) as { actions?: object };
			actions = Object.keys(module.actions ?? {});
		}
		found.push({ id, endpoint: file === '+server.ts', actions });
	}
	return found.sort((a, b) => a.id.localeCompare(b.id));
}

const routes = await routeIds();

function urlFor(id: string) {
	// An agreement page needs an exercise with something agreed; the demo couple has one.
	if (id.startsWith('/c/agreements/')) return `/c/agreements/${ids.agreementId}`;
	return id.replace(/\/\([^)]+\)/g, '').replace(/\[(\w+)(?:=\w+)?\]/g, (_, name: string) => {
		if (!(name in ids)) throw new Error(`no id for [${name}] in ${id}: add one in beforeAll`);
		return ids[name];
	});
}

const area = (id: string) =>
	id.startsWith('/app')
		? 'therapist'
		: id.startsWith('/c/') || id === '/c'
			? 'partner'
			: id.startsWith('/live') || id.startsWith('/api')
				? 'room'
				: 'public';

/** Routes whose answer depends on one couple's data: strangers get 404. */
const isScoped = (id: string) => /\[(coupleId|assignmentId|noteId|definitionId)[=\]]/.test(id);

/** Routes open to anyone (signing in, invites, health) or to a half-signed-in therapist. */
const PUBLIC = new Set([
	'/',
	'/(auth)/login',
	'/(auth)/login/forgot',
	'/(auth)/login/reset/[token]',
	'/(auth)/signup',
	'/invite/[token]',
	'/healthz'
]);
const SECOND_FACTOR = new Set([
	'/(auth)/login/totp',
	'/(auth)/login/totp/setup',
	'/(auth)/login/recovery',
	'/logout',
	'/healthz'
]);

function links(html: string, pattern: RegExp) {
	return [...html.matchAll(pattern)].map((m) => m[1]);
}

beforeAll(async () => {
	const url = app.server.url;
	const therapistA = await new Browser(url).signIn(
		'therapist@trellis.test',
		DEMO_PASSWORD,
		DEMO_TOTP_SECRET
	);
	const preTotp = await new Browser(url).signIn('therapist@trellis.test', DEMO_PASSWORD);
	const therapistB = (await signUpTherapist(url, 'stranger@example.test', 'Dr. Stranger')).browser;
	const partnerA = await new Browser(url).signIn('alex@trellis.test', DEMO_PASSWORD);
	const partnerB = await new Browser(url).signIn('jordan@trellis.test', DEMO_PASSWORD);
	actors = {
		anonymous: new Browser(url),
		preTotp,
		therapistA,
		therapistB,
		partnerA,
		partnerB
	};

	const partnerHome = await (await partnerA.get('/c')).text();
	const assignmentId = links(partnerHome, /\/live\/([0-9a-f-]{36})/g)[0];
	const agreementId = links(partnerHome, /\/c\/agreements\/([0-9a-f-]{36})/g)[0];
	const home = await (await therapistA.get('/app?show=all')).text();
	const coupleIds = [...new Set(links(home, /\/app\/couples\/([0-9a-f-]{36})/g))];
	let coupleId = '';
	for (const id of coupleIds) {
		const page = await (await therapistA.get(`/app/couples/${id}`)).text();
		if (page.includes(`/live/${assignmentId}`)) coupleId = id;
	}
	const notesPage = await (await therapistA.get(`/app/couples/${coupleId}/notes`)).text();
	const noteId = links(notesPage, /\/notes\/([0-9a-f-]{36})/g)[0];
	const created = await therapistA.postForm('/app/library/new', {
		definition: JSON.stringify(testExercise)
	});
	const definitionId = created.headers.get('location')?.split('/').at(-1) ?? '';
	ids = { coupleId, assignmentId, agreementId, noteId, definitionId, token: 'a'.repeat(40) };
	for (const [name, value] of Object.entries(ids)) expect(value, name).toBeTruthy();
}, 120_000);

type Expect = 'through' | 'login' | 'second-factor' | 'partner-home' | 'therapist-home' | 'hidden';

/** What each caller must get from a route: the matrix itself. */
function expected(route: Route, actor: Actor): Expect | null {
	if (PUBLIC.has(route.id) || SECOND_FACTOR.has(route.id)) return null;
	const kind = area(route.id);
	if (actor === 'anonymous') return 'login';
	if (actor === 'preTotp') return 'second-factor';
	if (kind === 'therapist') {
		if (actor.startsWith('partner')) return 'partner-home';
		return actor === 'therapistB' && isScoped(route.id) ? 'hidden' : 'through';
	}
	if (kind === 'partner') {
		if (actor.startsWith('therapist')) return 'therapist-home';
		return actor === 'partnerB' && isScoped(route.id) ? 'hidden' : 'through';
	}
	return actor === 'therapistB' || actor === 'partnerB' ? 'hidden' : 'through';
}

async function check(route: Route, actor: Actor, response: Response, method: string, url: string) {
	const status = response.status;
	const location = response.headers.get('location');
	const body = await response.text();
	const label = `${actor} → ${method} ${url}`;
	expect(status, label).toBeLessThan(500);
	expect(body, label).not.toMatch(/at .*\.js:\d+/);
	const want = expected(route, actor);
	// A route with nothing to answer this method (405) or this action (404) tells nobody anything.
	const absent = status === 405 || (method !== 'GET' && status === 404);
	switch (want) {
		case null:
			return;
		case 'second-factor':
			// The one gate in hooks.server.ts: nothing before the second factor, whatever the route.
			if (route.endpoint) {
				expect(status, label).toBe(401);
				expect(JSON.parse(body).error.code, label).toBe('two-factor-required');
			} else expect([status, location], label).toEqual([303, '/login/totp']);
			return;
		case 'login':
			if (absent) return;
			if (route.endpoint && status !== 303) expect([401, 403], label).toContain(status);
			else expect([status, location], label).toEqual([303, '/login']);
			return;
		case 'partner-home':
		case 'therapist-home': {
			if (absent) return;
			const home = want === 'partner-home' ? '/c' : '/app';
			if (route.endpoint && status !== 303) expect(status, label).toBeGreaterThanOrEqual(400);
			else expect([status, location], label).toEqual([303, home]);
			return;
		}
		case 'hidden':
			if (method === 'GET' || !absent) expect(status, label).toBe(404);
			expect(body, label).not.toContain('Alex');
			return;
		case 'through':
			expect([401, 403, 404], label).not.toContain(status);
	}
}

describe('every route, every caller', () => {
	it('finds the app’s routes on disk', () => {
		expect(routes.length).toBeGreaterThan(25);
		expect(routes.map((r) => r.id)).toContain('/api/assignments/[assignmentId=id]/answers');
	});

	for (const route of routes) {
		it(`GET ${route.id}`, async () => {
			const url = urlFor(route.id);
			for (const actor of ACTORS) {
				await check(route, actor, await actors[actor].get(url), 'GET', url);
			}
		});

		const posts = route.endpoint ? ['endpoint'] : route.actions;
		for (const action of posts) {
			it(`POST ${route.id}${action === 'default' || action === 'endpoint' ? '' : `?/${action}`}`, async () => {
				const base = urlFor(route.id);
				const url = action === 'default' || action === 'endpoint' ? base : `${base}?/${action}`;
				for (const actor of ACTORS) {
					// Only callers who must be refused post: an allowed one would really archive, sign out...
					const want = expected(route, actor);
					// Anonymous posts everywhere (the public forms too): nothing may answer 500.
					if (want === 'through' || (want === null && actor !== 'anonymous')) continue;
					const response = await actors[actor].postForm(url, { probe: '1' });
					await check(route, actor, response, 'POST', url);
				}
			});
		}
	}

	it('still finds every caller signed in as they were (no refused write landed)', async () => {
		for (const actor of ACTORS.filter((a) => a !== 'anonymous')) {
			const response = await actors[actor].get('/');
			expect([actor, response.status]).toEqual([actor, 303]);
			expect(response.headers.get('location'), actor).not.toBe('/login');
		}
	});
});

describe('every socket event, every caller', () => {
	const open: Socket[] = [];
	afterAll(() => open.forEach((s) => s.disconnect()));

	async function connect(actor: Actor): Promise<Socket> {
		const socket = connectClient(`${app.server.url}/live`, {
			transports: ['websocket'],
			extraHeaders: { cookie: actors[actor].cookieHeader, origin: app.server.url },
			reconnection: false
		});
		open.push(socket);
		await new Promise<void>((resolve, reject) => {
			socket.once('connect', () => resolve());
			socket.once('connect_error', reject);
		});
		return socket;
	}

	const ask = (socket: Socket, event: string, payload: object) =>
		socket.timeout(5000).emitWithAck(event, payload) as Promise<{
			ok: boolean;
			error?: { code: string };
		}>;

	it('refuses the handshake of an anonymous caller and of a therapist before the second factor', async () => {
		await expect(connect('anonymous')).rejects.toThrow(/unauthenticated/);
		await expect(connect('preTotp')).rejects.toThrow(/unauthenticated/);
	});

	const writes: [string, object][] = [
		['answer:save', { opId: 'matrix-op-0001', itemId: 'nope', value: 1 }],
		['answer:lock', { opId: 'matrix-op-0002', sectionId: 'nope' }],
		['joint:save', { opId: 'matrix-op-0003', itemId: 'nope', value: 1 }],
		['joint:confirm', { opId: 'matrix-op-0008', itemId: 'nope', revision: 1 }],
		['room:advance', { opId: 'matrix-op-0004', sectionId: 'nope' }],
		['room:reveal', { opId: 'matrix-op-0005', sectionId: 'nope' }],
		['room:reopen', { opId: 'matrix-op-0006', sectionId: 'nope' }],
		['room:end', { opId: 'matrix-op-0007', sectionId: 'nope' }],
		// The therapist's reveal, from her live room, of the couple's homework held for the session.
		[
			'held:reveal',
			{
				opId: 'matrix-op-0009',
				assignmentId: '00000000-0000-4000-8000-000000000000',
				sectionId: 'nope'
			}
		]
	];

	it('lets only the couple’s therapist and partners into its room, and refuses strangers every write', async () => {
		for (const actor of ['therapistB', 'partnerB'] as const) {
			const socket = await connect(actor);
			const join = await ask(socket, 'room:join', { assignmentId: ids.assignmentId });
			expect([actor, join.ok, join.error?.code]).toEqual([actor, false, 'not-found']);
			const presence = await ask(socket, 'presence:list', { coupleId: ids.coupleId });
			expect([actor, presence.error?.code]).toEqual([actor, 'not-found']);
			for (const [event, payload] of writes) {
				const reply = await ask(socket, event, payload);
				expect([actor, event, reply.error?.code]).toEqual([actor, event, 'not-joined']);
			}
			expect(socket.connected).toBe(true);
		}
	});

	it('keeps the therapist’s controls from a partner and the partners’ answers from the therapist', async () => {
		const partner = await connect('partnerA');
		expect((await ask(partner, 'room:join', { assignmentId: ids.assignmentId })).ok).toBe(true);
		// Past the partners' own writes (answers, locks, joint proposals and confirmations).
		for (const [event, payload] of writes.slice(4)) {
			const reply = await ask(partner, event, payload);
			expect([event, reply.error?.code]).toEqual([event, 'forbidden']);
		}
		const therapist = await connect('therapistA');
		expect((await ask(therapist, 'room:join', { assignmentId: ids.assignmentId })).ok).toBe(true);
		const reply = await ask(therapist, 'answer:save', writes[0][1]);
		expect(reply.error?.code).toMatch(/forbidden|not-found/);
		// Her reveal of held homework names an assignment of this couple, or nothing (404-like).
		const held = await ask(therapist, 'held:reveal', writes.at(-1)![1]);
		expect(held.error?.code).toBe('not-found');
	});

	it('refuses a socket opened from another site', async () => {
		const socket = connectClient(`${app.server.url}/live`, {
			transports: ['websocket'],
			extraHeaders: { cookie: actors.partnerA.cookieHeader, origin: 'https://evil.example' },
			reconnection: false
		});
		open.push(socket);
		await expect(
			new Promise((resolve, reject) => {
				socket.once('connect', () => resolve('connected'));
				socket.once('connect_error', reject);
			})
		).rejects.toThrow(/forbidden-origin/);
	});
});

describe('a safety flag, from another practice', () => {
	it('is not acknowledged by another therapist: 404, and it stays open for its own', async () => {
		const alex = actors.partnerA;
		const home = await (await alex.get('/c')).text();
		const assignmentIds = [
			...new Set([...home.matchAll(/\/c\/assignments\/([0-9a-f-]{36})/g)].map((m) => m[1]))
		];
		let raised = false;
		for (const assignmentId of assignmentIds) {
			if (raised) break;
			const view = await (await alex.get(`/api/assignments/${assignmentId}/answers`)).json();
			const items = view.definition.sections.flatMap(
				(s: { items: { id: string; safety?: { triggerOptions: string[] } }[] }) => s.items
			);
			const item = items.find((i: { safety?: unknown }) => i.safety);
			if (!item) continue;
			const saved = await alex.request(`/api/assignments/${assignmentId}/answers`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', origin: app.server.url },
				body: JSON.stringify({
					action: 'answer',
					opId: `matrix-flag-${Date.now().toString(36)}`,
					itemId: item.id,
					value: item.safety.triggerOptions[0]
				})
			});
			raised = saved.ok && (await saved.json()).safety === true;
		}
		expect(raised).toBe(true);
		const safetyPage = await (await actors.therapistA.get('/app/safety')).text();
		const flagId = safetyPage.match(/name="flagId" value="([0-9a-f-]{36})"/)![1];

		const refused = await actors.therapistB.postForm('/app/safety?/acknowledge', {
			flagId,
			action: 'called',
			note: 'not mine to write'
		});
		expect(refused.status).toBe(404);
		expect(await refused.text()).not.toContain('Alex');
		expect(await (await actors.therapistA.get('/app/safety')).text()).toContain(flagId);
		expect(await (await actors.therapistB.get('/app/safety')).text()).not.toContain(flagId);
	});
});
