// Fault tests (npm run test:faults): a killed server, a lost database connection, clients dropping at random.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { testExercise } from '../helpers/exercise-fixture';
import { assign, makePractice, opId } from '../helpers/live';
import { startServer, type TestServer } from '../helpers/server';
import { freshDatabase, resilientClient, tally, writeAnswers } from './fault-helpers';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function setting(name: string) {
	const database = await freshDatabase(`trellis-fault-${name}`);
	cleanups.push(() => database.drop());
	const practice = await makePractice(database.db);
	const assignmentId = await assign(database.db, practice, testExercise);
	let server: TestServer = await startServer({ databaseUrl: database.url });
	cleanups.push(() => server.stop('SIGKILL'));
	const baseUrl = () => server.url;
	const clients = [practice.alex, practice.sam].map((who) =>
		resilientClient(baseUrl, who, assignmentId)
	);
	cleanups.push(async () => clients.forEach((c) => c.socket.disconnect()));
	return {
		database,
		practice,
		assignmentId,
		clients,
		get server() {
			return server;
		},
		async restart(signal: NodeJS.Signals) {
			const port = server.port;
			await server.stop(signal);
			server = await startServer({ databaseUrl: database.url, port });
		}
	};
}

describe('faults', () => {
	it('loses and doubles nothing when the server is killed with SIGKILL mid-stream', async () => {
		const s = await setting('kill');
		let killed: Promise<void> | null = null;
		const writers = await Promise.all(
			s.clients.map((client, index) =>
				writeAnswers(client, `p${index}`, 60, (n) => {
					if (n === 20 && index === 0) killed ??= s.restart('SIGKILL');
				})
			)
		);
		await killed;
		const figures = await tally(s.database.db, writers);
		console.log('[faults] SIGKILL', JSON.stringify(figures));
		expect(figures).toMatchObject({ sent: 120, acked: 120, stored: 120, lost: 0, duplicated: 0 });
	});

	it('answers with errors while PostgreSQL connections are cut, and stores everything once afterwards', async () => {
		const s = await setting('cut');
		let cuts = 0;
		const cut = () =>
			sql`select pg_terminate_backend(pid) from pg_stat_activity
				where application_name = 'trellis-fault-cut' and pid <> pg_backend_pid()`.execute(s.database.db);
		const writers = await Promise.all(
			s.clients.map((client, index) =>
				writeAnswers(client, `p${index}`, 60, (n) => {
					if (index === 0 && (n === 15 || n === 35)) {
						cuts += 1;
						void cut();
					}
				})
			)
		);
		const figures = await tally(s.database.db, writers);
		console.log('[faults] connections cut', JSON.stringify({ ...figures, cuts }));
		expect(figures).toMatchObject({ sent: 120, acked: 120, stored: 120, lost: 0, duplicated: 0 });
		// The server survived: it still answers a page and a socket.
		expect((await fetch(`${s.server.url}/healthz`)).status).toBe(200);
		expect(s.server.child.exitCode).toBeNull();
	});

	it('replays every missed event in order to clients that drop and reconnect at random', async () => {
		const s = await setting('drops');
		const [alex, sam] = s.clients;
		let drops = 0;
		const chaos = setInterval(() => {
			const victim = Math.random() < 0.5 ? alex : sam;
			if (victim.socket.connected) {
				drops += 1;
				victim.socket.io.engine.close();
			}
		}, 100);
		const writers = await Promise.all([writeAnswers(alex, 'a', 80), writeAnswers(sam, 's', 80)]);
		clearInterval(chaos);
		const figures = await tally(s.database.db, writers);
		// A last write from Alex marks the end; both must then hold every seq from 1 to the last.
		await alex.whenJoined();
		const final = await alex.socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'hope',
			value: 'done'
		});
		expect(final.ok).toBe(true);
		const lastSeq = final.ok ? final.seq : 0;
		// Caught up either by live events or by a replay after a gap: wait for the state, not an event.
		await vi.waitFor(
			() => {
				for (const client of [alex, sam]) expect(client.lastSeq).toBeGreaterThanOrEqual(lastSeq);
			},
			{ timeout: 15_000 }
		);
		console.log('[faults] random drops', JSON.stringify({ ...figures, drops, lastSeq }));
		expect(figures).toMatchObject({ sent: 160, acked: 160, stored: 160, lost: 0, duplicated: 0 });
		for (const client of [alex, sam]) {
			expect(client.seqs).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
		}
		expect(drops).toBeGreaterThan(0);
	});
});
