// The email outbox over real SMTP conversations (an in-process SMTP server): messages written in the
// transaction that caused them, sent by the sender with retries and back-off across a restart, and
// never naming an exercise or another client. Then the running server's own sender, end to end.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Connection } from '$lib/server/db/connect';
import type { Database } from '$lib/server/db/schema';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import { inviteEmail, smtpTransport } from '$lib/server/email';
import * as exercises from '$lib/server/exercises';
import * as outbox from '$lib/server/outbox';
import * as schedules from '$lib/server/schedules';
import * as answers from '$lib/server/rooms/answers';
import { loadContext } from '$lib/server/rooms/context';
import * as safety from '$lib/server/safety';
import { durableDatabase, type DurableDatabase } from '../helpers/durable-database';
import { truncateAll } from '../helpers/database';
import { assign, makePractice, opId, type Practice } from '../helpers/live';
import { testExercise } from '../helpers/exercise-fixture';
import { startMailServer, type MailServer } from '../helpers/mail-server';
import { useApp } from '../helpers/app';
import { Browser, SERVER_ENV } from './accounts-browser';

const T0 = new Date('2030-01-06T00:00:00Z');
const seconds = (n: number) => new Date(T0.getTime() + n * 1000);

let mail: MailServer | null = null;
afterEach(async () => {
	delete process.env.SMTP_URL;
	await mail?.close();
	mail = null;
});

/** Words of the exercise, its items and the couple that no reminder may carry. */
async function clinicalWords(db: Kysely<Database>) {
	const checkIn = await exercises.builtIn(db, 'trust-checkin');
	const prompts = checkIn!.definition.sections.flatMap((s) => s.items.map((i) => i.prompt));
	return [checkIn!.definition.title, 'check-in', 'trust', 'affair', 'Alex & Sam', ...prompts];
}

describe('the outbox sender', () => {
	let storage: DurableDatabase;
	let conn: Connection;
	let practice: Practice;

	beforeAll(async () => {
		storage = await durableDatabase();
		conn = await storage.open();
	});
	beforeEach(async () => {
		practice = await makePractice(conn.db);
		await exercises.installBuiltIns(conn.db);
	});
	afterEach(() => truncateAll(conn.db));
	afterAll(async () => {
		await conn.close();
		await storage.drop();
	});

	async function queueInvite(db: Kysely<Database>) {
		const id = await outbox.enqueue(
			db,
			{
				kind: 'invite',
				to: 'new.partner@example.test',
				...inviteEmail({
					partnerName: 'Robin',
					therapistName: 'Dr. Test',
					link: 'http://localhost/invite/abcdefghijklmnopqrstuvwxyz234567abcdefgh',
					expiresAt: seconds(7 * 86_400),
					timeZone: 'America/Los_Angeles'
				})
			},
			{ now: T0 }
		);
		expect(id).toBeTruthy();
		return id!;
	}

	it('queues nothing without SMTP_URL', async () => {
		expect(
			await outbox.enqueue(conn.db, {
				kind: 'invite',
				to: 'a@example.test',
				subject: 's',
				text: 't'
			})
		).toBeNull();
		expect(await conn.db.selectFrom('outbox').select('id').execute()).toEqual([]);
	});

	it('delivers a schedule’s reminders over SMTP, one to each partner, naming no exercise and not the other partner', async () => {
		mail = await startMailServer();
		process.env.SMTP_URL = mail.url;
		const checkIn = await exercises.builtIn(conn.db, 'trust-checkin');
		const created = await schedules.create(
			conn.db,
			practice.therapist.id,
			{
				coupleId: practice.coupleId,
				definitionId: checkIn!.id,
				cadence: 'weekly',
				firstDueAt: new Date('2030-01-09T00:00:00Z'),
				end: { occurrences: 4 },
				note: 'Breathe first; there are no wrong answers.'
			},
			T0
		);
		expect(created.ok).toBe(true);
		const ids = (await conn.db.selectFrom('outbox').select('id').execute()).map((r) => r.id);
		expect(ids).toHaveLength(2);

		const round = await outbox.deliverDue(conn.db, { now: T0, mailer: smtpTransport()! });
		expect(round).toEqual({ sent: 2, retrying: 0, failed: 0 });
		const received = await mail.arrived(2);
		expect(received.map((m) => m.to[0]).sort()).toEqual(['alex@example.test', 'sam@example.test']);
		const forbidden = [...(await clinicalWords(conn.db)), 'Breathe first'];
		for (const message of received) {
			expect(message.text).toContain('A new exercise from Therapist is waiting for you in Trellis');
			expect(message.text).toContain('/c/account');
			for (const word of forbidden)
				expect(message.text.toLowerCase()).not.toContain(word.toLowerCase());
			const other = message.to[0].startsWith('alex') ? 'Sam' : 'Alex';
			expect(message.text).not.toContain(other);
		}
		for (const id of ids) {
			expect(await outbox.status(conn.db, id)).toMatchObject({ status: 'sent', attempts: 1 });
		}
		// Sent messages keep no body.
		const bodies = await conn.db.selectFrom('outbox').select('ciphertext').execute();
		expect(bodies.every((b) => b.ciphertext === null)).toBe(true);
	});

	it('retries with back-off when the server refuses the first two deliveries, across a restart, and sends once', async () => {
		mail = await startMailServer({ refuseFirst: 2 });
		process.env.SMTP_URL = mail.url;
		const id = await queueInvite(conn.db);
		expect(await outbox.status(conn.db, id)).toMatchObject({ status: 'pending', attempts: 0 });

		expect(await outbox.deliverDue(conn.db, { now: T0, mailer: smtpTransport()! })).toEqual({
			sent: 0,
			retrying: 1,
			failed: 0
		});
		const first = await outbox.status(conn.db, id);
		expect(first).toMatchObject({ status: 'retrying', attempts: 1, lastError: 'EENVELOPE:451' });
		expect(first!.nextAttemptAt).toEqual(seconds(30));
		// Not due yet: nothing is tried.
		await outbox.deliverDue(conn.db, { now: seconds(29), mailer: smtpTransport()! });
		expect(mail.refused()).toBe(1);

		await outbox.deliverDue(conn.db, { now: seconds(30), mailer: smtpTransport()! });
		const second = await outbox.status(conn.db, id);
		expect(second).toMatchObject({ status: 'retrying', attempts: 2 });
		expect(second!.nextAttemptAt).toEqual(seconds(90));

		// The server restarts: a new connection to the same data, a new sender.
		await conn.close();
		conn = await storage.open();
		const sender = outbox.startSender(conn.db, { clock: () => seconds(90), intervalMs: 60_000 });
		const [message] = await mail.arrived(1);
		await sender.stop();
		expect(message.to).toEqual(['new.partner@example.test']);
		expect(message.text).toContain('Hello Robin');
		expect(message.text).toContain('/invite/abcdefghijklmnopqrstuvwxyz234567abcdefgh');
		expect(await outbox.status(conn.db, id)).toMatchObject({
			status: 'sent',
			attempts: 3,
			lastError: null,
			sentAt: seconds(90)
		});
		await outbox.deliverDue(conn.db, { now: seconds(3600), mailer: smtpTransport()! });
		expect(mail.received).toHaveLength(1);
	});

	it('alerts the therapist and her second contact once each for a safety answer, through two refusals and a restart', async () => {
		mail = await startMailServer({ refuseFirst: 4 });
		process.env.SMTP_URL = mail.url;
		await safety.setSafetyContact(conn.db, practice.therapist.id, 'on-call@example.test');
		const assignmentId = await assign(conn.db, practice, testExercise, 'homework');
		const context = await loadContext(
			conn.db,
			{ id: practice.alex.id, role: 'partner' },
			assignmentId
		);
		const op = opId();
		const saved = await answers.saveAnswer(conn.db, context!, {
			opId: op,
			itemId: 'unsafe',
			value: 'often'
		});
		expect(saved).toMatchObject({ ok: true, safety: true, alerted: 'email' });
		// A retried save is a repeat: it says the same and queues nothing more.
		const repeated = await answers.saveAnswer(conn.db, context!, {
			opId: op,
			itemId: 'unsafe',
			value: 'often'
		});
		expect(repeated).toMatchObject({ ok: true, safety: true, alerted: 'email', replayed: true });
		const flag = await conn.db.selectFrom('safety_flags').select('id').executeTakeFirstOrThrow();
		const queued = await conn.db
			.selectFrom('outbox')
			.select(['to_address', 'kind', 'dedupe_key'])
			.orderBy('to_address')
			.execute();
		expect(queued).toEqual([
			{
				to_address: 'on-call@example.test',
				kind: 'safety-alert',
				dedupe_key: `safety-alert:${flag.id}:second-contact`
			},
			{
				to_address: 't@example.test',
				kind: 'safety-alert',
				dedupe_key: `safety-alert:${flag.id}:therapist`
			}
		]);

		const mailer = smtpTransport()!;
		expect(await outbox.deliverDue(conn.db, { now: new Date(), mailer })).toMatchObject({
			sent: 0
		});
		expect(
			await outbox.deliverDue(conn.db, { now: new Date(Date.now() + 31_000), mailer })
		).toMatchObject({ sent: 0 });
		expect(mail.refused()).toBe(4);
		await conn.close();
		conn = await storage.open();
		const later = new Date(Date.now() + 120_000);
		const sender = outbox.startSender(conn.db, { clock: () => later, intervalMs: 60_000 });
		const received = await mail.arrived(2);
		await sender.stop();
		expect(received.map((m) => m.to[0]).sort()).toEqual(['on-call@example.test', 't@example.test']);
		const forbidden = ['Alex', 'Sam', 'Felt unsafe', 'often', testExercise.title];
		for (const message of received) {
			expect(message.text).toContain('A safety answer needs your attention');
			expect(message.text).toContain('/app/safety');
			for (const word of forbidden) expect(message.text).not.toContain(word);
		}
		await outbox.deliverDue(conn.db, { now: new Date(Date.now() + 86_400_000), mailer });
		expect(mail.received).toHaveLength(2);
		// The other partner is sent nothing.
		expect(received.some((m) => m.to.includes('sam@example.test'))).toBe(false);
	});

	it('gives up after the last attempt, keeping a code and no text of the server’s reply', async () => {
		mail = await startMailServer({ refuseFirst: 100 });
		process.env.SMTP_URL = mail.url;
		const id = await queueInvite(conn.db);
		let now = T0;
		for (let attempt = 1; attempt <= outbox.MAX_ATTEMPTS; attempt++) {
			await outbox.deliverDue(conn.db, { now, mailer: smtpTransport()! });
			now = new Date(now.getTime() + outbox.retryDelay(attempt));
		}
		const given = await outbox.status(conn.db, id);
		expect(given).toMatchObject({
			status: 'failed',
			attempts: outbox.MAX_ATTEMPTS,
			lastError: 'EENVELOPE:451',
			nextAttemptAt: null
		});
		expect(mail.refused()).toBe(outbox.MAX_ATTEMPTS);
		const row = await conn.db
			.selectFrom('outbox')
			.select(['ciphertext', 'last_error'])
			.executeTakeFirstOrThrow();
		expect(row.ciphertext).toBeNull();
		await outbox.deliverDue(conn.db, { now: seconds(10 * 86_400), mailer: smtpTransport()! });
		expect(mail.refused()).toBe(outbox.MAX_ATTEMPTS);
		expect(outbox.retryDelay(1)).toBe(30_000);
		expect(outbox.retryDelay(20)).toBe(outbox.RETRY_MAX_MS);
	});

	it('keeps the message sealed at rest, and the same dedupe key queues once', async () => {
		process.env.SMTP_URL = 'smtp://127.0.0.1:9';
		const email = {
			kind: 'reminder',
			to: 'a@example.test',
			subject: 'A reminder',
			text: 'secret-link-123'
		};
		const first = await outbox.enqueue(conn.db, { ...email, dedupeKey: 'once' });
		const second = await outbox.enqueue(conn.db, { ...email, dedupeKey: 'once' });
		expect(first).toBeTruthy();
		expect(second).toBeNull();
		const row = await conn.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
		expect(Buffer.from(row.ciphertext!).toString('utf8')).not.toContain('secret-link-123');
		expect(await outbox.status(conn.db, 'not-an-id')).toBeNull();
	});
});

describe('the server’s own sender', () => {
	const app = useApp({ env: SERVER_ENV });

	it('emails an invite and a nudge through the outbox, and no nudge email to a partner who turned them off', async () => {
		mail = await startMailServer();
		const server = await app.restart({ env: { ...SERVER_ENV, SMTP_URL: mail.url } });
		const therapist = await new Browser(server.url).signIn(
			'therapist@trellis.test',
			DEMO_PASSWORD,
			DEMO_TOTP_SECRET
		);

		const created = await therapist.postForm('/app/couples/new', {
			label: 'Robin & Kai',
			partner1Name: 'Robin',
			partner1Email: 'robin@example.test',
			partner2Name: 'Kai',
			partner2Email: '',
			rolesApply: 'on',
			injured: '1'
		});
		const coupleId = created.headers.get('location')!.split('/').pop()!;
		const invited = await therapist.postForm(`/app/couples/${coupleId}?/invite`, { slot: '1' });
		expect(await invited.text()).toContain('An invite email to robin@example.test is on its way');
		const [invite] = await mail.arrived(1);
		expect(invite.to).toEqual(['robin@example.test']);
		expect(invite.text).toMatch(/\/invite\/[a-z2-7]{40}/);
		expect(invite.text).not.toContain('Kai');

		// A nudge to Alex about the occurrence of the demo couple's weekly check-in open now.
		const home = await (await therapist.get('/app')).text();
		const couplePath = home.match(/\/app\/couples\/[0-9a-f-]{36}(?=">Alex &amp; Sam<)/)?.[0];
		const couplePage = await (await therapist.get(couplePath!)).text();
		const assignmentPath = couplePage.match(
			/\/app\/couples\/[0-9a-f-]{36}\/assignments\/[0-9a-f-]{36}(?=">Occurrence)/
		)?.[0];
		expect(assignmentPath).toBeTruthy();
		const page = await (await therapist.get(assignmentPath!)).text();
		const [alexId] = [...page.matchAll(/name="partnerId" value="([0-9a-f-]{36})"/g)].map(
			(m) => m[1]
		);
		const nudged = await therapist.postForm(`${assignmentPath}?/nudge`, { partnerId: alexId });
		expect(await nudged.text()).toContain('an email is on its way');
		const [, reminder] = await mail.arrived(2);
		expect(reminder.to).toEqual(['alex@trellis.test']);
		expect(reminder.text).toContain('sent you a gentle reminder');
		for (const word of ['check-in', 'trust', 'Sam']) expect(reminder.text).not.toContain(word);

		const alex = await new Browser(server.url).signIn('alex@trellis.test', DEMO_PASSWORD);
		const off = await alex.postForm('/c/account?/reminders', {});
		expect(off.status).toBe(200);
		expect(await (await alex.get('/c/account')).text()).not.toMatch(
			/name="emailReminders"[^>]*checked/
		);
		const quiet = await therapist.postForm(`${assignmentPath}?/nudge`, { partnerId: alexId });
		const said = await quiet.text();
		expect(said).toContain('Reminder sent.');
		expect(said).not.toContain('an email is on its way');
	});
});
