// The session watch of the live sockets, on a real database: what a sweep ends and what it keeps.
// A sweep reads back only the rows that differ from what it knows, so what it must still learn from
// them (a slid expiry, a shortened one) is checked here with the clock moved past the old expiry.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { createSession, generateSessionToken } from '$lib/server/auth/session';
import { SessionWatch } from '$lib/server/realtime/session-watch';
import { useTestDatabase } from '../helpers/database';
import { makePractice } from '../helpers/live';

const database = useTestDatabase();

afterEach(() => vi.useRealTimers());

/** A socket as the watch sees one: it can be told to go. */
function socket() {
	return {
		closed: false,
		disconnect(this: { closed: boolean }) {
			this.closed = true;
		}
	};
}

/** Counts the rows each statement reads back, on the real database. */
function rowCounter() {
	const counts: number[] = [];
	const plugin: KyselyPlugin = {
		transformQuery: ({ node }) => node,
		transformResult: async ({ result }) => {
			counts.push(result.rows.length);
			return result;
		}
	};
	return { counts, plugin };
}

async function watching(count: number, counter = rowCounter()) {
	const practice = await makePractice(database.db);
	const watch = new SessionWatch(() => database.db.withPlugin(counter.plugin), { sweepMs: 0 });
	const watched = [];
	for (let n = 0; n < count; n++) {
		const session = await createSession(database.db, generateSessionToken(), {
			id: practice.alex.id,
			role: 'partner'
		});
		const s = socket();
		watch.add(s, session, 'partner');
		watched.push({ session, socket: s });
	}
	return { watch, watched };
}

const setExpiry = (id: string, at: Date) =>
	database.db.updateTable('sessions').set({ expires_at: at }).where('id', '=', id).execute();

describe('a sweep of the watched sessions', () => {
	it('keeps live sessions and ends exactly the expired and the deleted ones', async () => {
		const { watch, watched } = await watching(4);
		await watch.sweep();
		expect(watched.map((w) => w.socket.closed)).toEqual([false, false, false, false]);

		await setExpiry(watched[1].session.id, new Date(Date.now() - 1000));
		await database.db.deleteFrom('sessions').where('id', '=', watched[2].session.id).execute();
		await watch.sweep();
		expect(watched.map((w) => w.socket.closed)).toEqual([false, true, true, false]);
		expect(await watch.allows(watched[0].session.id)).toBe(true);
	});

	it('learns an expiry a page slid, so the session outlives the expiry it had', async () => {
		const { watch, watched } = await watching(2);
		const [slid, idle] = watched;
		const later = new Date(slid.session.expires_at.getTime() + 3_600_000);
		await setExpiry(slid.session.id, later);
		await watch.sweep();

		// Past the expiry both had at first; only the slid one is still good.
		vi.useFakeTimers({ toFake: ['Date'], now: idle.session.expires_at.getTime() + 60_000 });
		await watch.sweep();
		expect(slid.socket.closed).toBe(false);
		expect(idle.socket.closed).toBe(true);
		expect(watch.allows(slid.session.id)).toBe(true);
	});

	it('learns an expiry brought forward (a closed tab’s grace) and ends the session when it passes', async () => {
		const { watch, watched } = await watching(1);
		const [tab] = watched;
		const grace = new Date(Date.now() + 30_000);
		await setExpiry(tab.session.id, grace);
		await watch.sweep();
		expect(tab.socket.closed).toBe(false);

		vi.useFakeTimers({ toFake: ['Date'], now: grace.getTime() + 1 });
		await watch.sweep();
		expect(tab.socket.closed).toBe(true);
	});

	it('reads back no row for a session that has not changed, however many are watched', async () => {
		const counter = rowCounter();
		const { watch, watched } = await watching(50, counter);
		counter.counts.length = 0;
		await watch.sweep();
		expect(counter.counts).toEqual([0]);

		await setExpiry(watched[7].session.id, new Date(Date.now() + 3_600_000));
		counter.counts.length = 0;
		await watch.sweep();
		expect(counter.counts).toEqual([1]);
		expect(watched.every((w) => !w.socket.closed)).toBe(true);
	});
});
