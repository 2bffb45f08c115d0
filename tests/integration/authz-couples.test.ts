// The authorization matrix: two therapists, a couple each, both partners of each couple, a stranger
// and an anonymous visitor, each against every couple route, action and the socket's couple events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectClient, type Socket } from 'socket.io-client';
import { useApp } from '../helpers/app';
import {
	Browser,
	SERVER_ENV,
	acceptInvite,
	createCouple,
	invite,
	signUpTherapist
} from './accounts-browser';

const app = useApp({ env: SERVER_ENV, seed: false });

type Actor = 'therapistA' | 'therapistB' | 'partnerA' | 'partnerB' | 'anonymous';
let actors: Record<Actor, Browser>;
let couples: { A: string; B: string };

beforeAll(async () => {
	const url = app.server.url;
	const a = await signUpTherapist(url, 'a@example.test', 'Dr. A');
	const b = await signUpTherapist(url, 'b@example.test', 'Dr. B');
	couples = {
		A: await createCouple(a.browser, {
			label: 'Couple A',
			partner1Name: 'Ann',
			partner2Name: 'Art'
		}),
		B: await createCouple(b.browser, { label: 'Couple B', partner1Name: 'Bea', partner2Name: 'Bo' })
	};
	const partnerA = await acceptInvite(
		url,
		await invite(a.browser, couples.A, 1),
		'ann@example.test'
	);
	await acceptInvite(url, await invite(a.browser, couples.A, 2), 'art@example.test');
	const partnerB = await acceptInvite(
		url,
		await invite(b.browser, couples.B, 1),
		'bea@example.test'
	);
	// Bo stays invited but not joined, so the revoke action has something to act on.
	await invite(b.browser, couples.B, 2);
	actors = {
		therapistA: a.browser,
		therapistB: b.browser,
		partnerA,
		partnerB,
		anonymous: new Browser(url)
	};
}, 120_000);

const owner = { A: 'therapistA', B: 'therapistB' } as const;
const coupleFields = (label: string) => ({
	label,
	partner1Name: 'Renamed',
	partner2Name: 'Other',
	rolesApply: '',
	injured: '1'
});

/** Every route that reads or changes one couple; add new couple routes here. */
const routes: {
	name: string;
	run: (b: Browser, coupleId: string, label: string) => Promise<Response>;
}[] = [
	{ name: 'GET couple page', run: (b, id) => b.get(`/app/couples/${id}`) },
	{ name: 'GET edit page', run: (b, id) => b.get(`/app/couples/${id}/edit`) },
	{
		name: 'POST edit',
		run: (b, id, label) => b.postForm(`/app/couples/${id}/edit`, coupleFields(label))
	},
	{ name: 'POST invite', run: (b, id) => b.postForm(`/app/couples/${id}?/invite`, { slot: '2' }) },
	{ name: 'POST revoke', run: (b, id) => b.postForm(`/app/couples/${id}?/revoke`, { slot: '2' }) },
	{
		name: 'POST progress visibility',
		run: (b, id) => b.postForm(`/app/couples/${id}?/progress`, { visible: 'on' })
	},
	{ name: 'POST archive', run: (b, id) => b.postForm(`/app/couples/${id}?/archive`, {}) },
	{ name: 'POST restore', run: (b, id) => b.postForm(`/app/couples/${id}?/restore`, {}) },
	{ name: 'GET assign page', run: (b, id) => b.get(`/app/couples/${id}/assign`) },
	{ name: 'GET notes', run: (b, id) => b.get(`/app/couples/${id}/notes`) },
	{ name: 'GET audit trail', run: (b, id) => b.get(`/app/couples/${id}/audit?action=note`) },
	{ name: 'GET export', run: (b, id) => b.get(`/app/couples/${id}/export?format=pdf`) },
	// The couple is checked before the format, so a bad format tells a stranger nothing either.
	{ name: 'GET export, bad format', run: (b, id) => b.get(`/app/couples/${id}/export?format=x`) },
	{
		name: 'POST new note',
		run: (b, id) =>
			b.postForm(`/app/couples/${id}/notes`, {
				kind: 'progress',
				template: 'free',
				sessionDate: 'bad'
			})
	},
	{ name: 'POST assign', run: (b, id) => b.postForm(`/app/couples/${id}/assign`, { mode: 'live' }) }
];

describe('authorization matrix', () => {
	for (const route of routes) {
		for (const which of ['A', 'B'] as const) {
			it(`${route.name} of couple ${which}: only its therapist gets through`, async () => {
				for (const actor of Object.keys(actors) as Actor[]) {
					const isOwner = actor === owner[which];
					// The owner's edit keeps the label; anyone else's would leave a mark if it landed.
					const response = await route.run(
						actors[actor],
						couples[which],
						isOwner ? `Couple ${which}` : 'Hijacked'
					);
					const status = response.status;
					const location = response.headers.get('location');
					const body = await response.text();
					const label = `${actor} → ${route.name} ${which}`;
					if (isOwner) {
						// Through to the rule itself (e.g. 409 for inviting a partner who already joined).
						expect(status, label).toBeLessThan(500);
						expect(status, label).not.toBe(404);
						expect(location ?? '', label).not.toMatch(/^\/(login|c)$/);
					} else if (actor === 'anonymous') {
						expect([status, location], label).toEqual([303, '/login']);
					} else if (actor.startsWith('partner')) {
						// Partners never reach the therapist area at all, whatever the couple.
						expect([status, location], label).toEqual([303, '/c']);
					} else {
						expect(status, label).toBe(404);
						expect(body, label).not.toContain(`Couple ${which}`);
					}
				}
			});
		}
	}

	it('left every couple as its own therapist made it', async () => {
		for (const which of ['A', 'B'] as const) {
			const page = await actors[owner[which]].get(`/app/couples/${couples[which]}`);
			const body = await page.text();
			expect(body).toContain(`Couple ${which}`);
			expect(body).not.toContain('Hijacked');
			expect(body).not.toContain('>Archived<');
		}
	});

	it('answers 404 for a couple that does not exist or an id that is not one', async () => {
		for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' or '1'='1"]) {
			const response = await actors.therapistA.get(`/app/couples/${encodeURIComponent(id)}`);
			expect(response.status).toBe(404);
		}
	});

	it('lists only a therapist’s own couples, and only a partner’s own couple', async () => {
		const listA = await (await actors.therapistA.get('/app?show=all')).text();
		expect(listA).toContain('Couple A');
		expect(listA).not.toContain('Couple B');
		const searchA = await (await actors.therapistA.get('/app?show=all&q=Bea')).text();
		expect(searchA).not.toContain('Couple B');

		const homeA = await (await actors.partnerA.get('/c')).text();
		expect(homeA).toContain('Couple A');
		expect(homeA).not.toContain('Couple B');
		const homeB = await (await actors.partnerB.get('/c')).text();
		expect(homeB).toContain('Couple B');
		expect(homeB).not.toContain('Couple A');
	});

	describe('over the socket', () => {
		const open: Socket[] = [];
		afterAll(() => open.forEach((s) => s.disconnect()));

		async function presence(actor: Actor, coupleId: string) {
			const socket = connectClient(`${app.server.url}/live`, {
				transports: ['websocket'],
				extraHeaders: { cookie: actors[actor].cookieHeader },
				reconnection: false
			});
			open.push(socket);
			await new Promise<void>((resolve, reject) => {
				socket.once('connect', () => resolve());
				socket.once('connect_error', reject);
			});
			return new Promise<{ ok: boolean }>((resolve) =>
				socket.emit('presence:list', { coupleId }, resolve)
			);
		}

		it('gives couple presence only to the couple’s therapist and partners', async () => {
			expect((await presence('therapistA', couples.A)).ok).toBe(true);
			expect((await presence('partnerA', couples.A)).ok).toBe(true);
			expect((await presence('therapistB', couples.A)).ok).toBe(false);
			expect((await presence('partnerB', couples.A)).ok).toBe(false);
			expect((await presence('partnerA', couples.B)).ok).toBe(false);
		});

		it('refuses an anonymous socket', async () => {
			await expect(presence('anonymous', couples.A)).rejects.toThrow(/unauthenticated/);
		});
	});
});
