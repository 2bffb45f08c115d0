// Two scheduler instances and two outbox senders on one PostgreSQL (each with its own connection pool,
// as two servers would have), running at the same moments: no occurrence, reminder or email twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { connect, type Connection } from '$lib/server/db/connect';
import { migrateToLatest } from '$lib/server/db/migrate';
import { smtpTransport } from '$lib/server/email';
import * as exercises from '$lib/server/exercises';
import * as outbox from '$lib/server/outbox';
import * as scheduler from '$lib/server/scheduler';
import * as schedules from '$lib/server/schedules';
import { freshSchemaName } from '../helpers/database';
import { makePractice, type Practice } from '../helpers/live';
import { startMailServer, type MailServer } from '../helpers/mail-server';

const base = process.env.TEST_DATABASE_URL!;
const schema = freshSchemaName();
let instances: Connection[] = [];
let practice: Practice;
let mail: MailServer;

const DAY = 86_400_000;
const T0 = new Date('2030-01-06T00:00:00Z');
const SCHEDULES = 4;
const OCCURRENCES = 6;

beforeAll(async () => {
	const admin = connect({ kind: 'postgres', url: base, poolSize: 1 });
	await sql`create schema ${sql.id(schema)}`.execute(admin.db);
	await admin.close();
	instances = [0, 1].map(() => connect({ kind: 'postgres', url: base, schema, poolSize: 4 }));
	await migrateToLatest(instances[0].db);
	practice = await makePractice(instances[0].db);
	await exercises.installBuiltIns(instances[0].db);
	mail = await startMailServer();
	process.env.SMTP_URL = mail.url;
});

afterAll(async () => {
	delete process.env.SMTP_URL;
	await mail.close();
	await sql`drop schema ${sql.id(schema)} cascade`.execute(instances[0].db);
	for (const instance of instances) await instance.close();
});

describe('two instances on one PostgreSQL', () => {
	it('open each occurrence, send each reminder and deliver each email exactly once', async () => {
		const [a, b] = instances;
		const checkIn = await exercises.builtIn(a.db, 'trust-checkin');
		for (let i = 0; i < SCHEDULES; i++) {
			const created = await schedules.create(
				a.db,
				practice.therapist.id,
				{
					coupleId: practice.coupleId,
					definitionId: checkIn!.id,
					cadence: 'weekly',
					// Due on Wednesday to Saturday of the first week; nothing opens at creation.
					firstDueAt: new Date(T0.getTime() + (10 + i) * DAY),
					end: { occurrences: OCCURRENCES }
				},
				T0
			);
			expect(created).toMatchObject({ ok: true, openedAssignmentId: null });
		}

		let done = 0;
		for (let t = T0.getTime(); t <= T0.getTime() + 50 * DAY; t += 6 * 3_600_000) {
			const now = new Date(t);
			const rounds = await Promise.all(
				[a, b].map((instance) => scheduler.runDue(instance.db, now, schedules.work))
			);
			done += rounds[0] + rounds[1];
		}
		const { rows } = await sql<{
			work: number;
			assignments: number;
			reminders: number;
			emails: number;
		}>`select
			(select count(*)::int from scheduled_work where done_at is not null) as work,
			(select count(*)::int from assignments) as assignments,
			(select count(*)::int from nudges) as reminders,
			(select count(*)::int from outbox) as emails`.execute(a.db);
		// Each piece of work done by one instance only: the two rounds add up to the work done.
		expect(done).toBe(rows[0].work);
		expect(rows[0].assignments).toBe(SCHEDULES * OCCURRENCES);
		// Nobody answers: each partner is reminded when it opens, the day before, and when overdue.
		expect(rows[0].reminders).toBe(SCHEDULES * OCCURRENCES * 2 * 3);
		expect(rows[0].emails).toBe(rows[0].reminders);

		const sent = await Promise.all(
			[a, b].map((instance) =>
				outbox.deliverDue(instance.db, {
					now: new Date(T0.getTime() + 60 * DAY),
					mailer: smtpTransport()!,
					batch: 5
				})
			)
		);
		expect(sent[0].sent + sent[1].sent).toBe(rows[0].emails);
		expect(mail.received).toHaveLength(rows[0].emails);
		const attempts = await a.db.selectFrom('outbox').select(['status', 'attempts']).execute();
		expect(attempts.every((m) => m.status === 'sent' && m.attempts === 1)).toBe(true);
	});
});
