// Recurring homework on a real database, with the scheduler's clock moved by the test: occurrences
// open and close on time and exactly once, reminders go at their moments, and the therapist's
// changes (pause, resume, stop, another day, a newer version, archiving) behave as promised.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { Database } from '$lib/server/db/schema';
import * as roomContext from '$lib/server/rooms/context';
import * as couples from '$lib/server/couples';
import type { ExerciseItem } from '$lib/exercises/definition';
import * as exercises from '$lib/server/exercises';
import * as homework from '$lib/server/homework';
import * as progress from '$lib/server/progress';
import * as reminders from '$lib/server/reminders';
import * as responses from '$lib/server/rooms/answers';
import * as scheduler from '$lib/server/scheduler';
import * as schedules from '$lib/server/schedules';
import { useTestDatabase } from '../helpers/database';
import { testExercise } from '../helpers/exercise-fixture';
import { makePractice, opId, type Person, type Practice } from '../helpers/live';

const database = useTestDatabase({ asAppDatabase: true });
let db: Kysely<Database>;
let practice: Practice;
let checkInId: string;

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** A Sunday at midnight UTC: the schedules below are due on Wednesdays. */
const T0 = new Date('2030-01-06T00:00:00Z');
const at = (days: number, hours = 0) => new Date(T0.getTime() + days * DAY + hours * HOUR);
// The last moment of a due day (dates.endOfDay), on the test therapist's clock (UTC).
const dueOn = (days: number) => new Date(at(days).getTime() + DAY - 1);

beforeEach(async () => {
	db = database.db;
	practice = await makePractice(db);
	await exercises.installBuiltIns(db);
	checkInId = (await exercises.builtIn(db, 'trust-checkin'))!.id;
	// Email "set up" so reminders are queued; nothing here sends them (outbox.test.ts does).
	process.env.SMTP_URL = 'smtp://127.0.0.1:9';
});
afterEach(() => {
	delete process.env.SMTP_URL;
});

async function weekly(
	input: Partial<schedules.NewSchedule> = {},
	now = T0
): Promise<{ scheduleId: string; openedAssignmentId: string | null }> {
	const created = await schedules.create(
		db,
		practice.therapist.id,
		{
			coupleId: practice.coupleId,
			definitionId: checkInId,
			cadence: 'weekly',
			firstDueAt: at(3),
			end: { occurrences: 6 },
			...input
		},
		now
	);
	if (!created.ok) throw new Error(created.message);
	return created;
}

/** Moves the clock from `from` to `to` in steps, running the scheduler at each, and `each` before it. */
async function runClock(
	from: Date,
	to: Date,
	stepHours: number,
	each?: (now: Date) => Promise<void>
) {
	for (let t = from.getTime(); t <= to.getTime(); t += stepHours * HOUR) {
		const now = new Date(t);
		await each?.(now);
		await scheduler.runDue(db, now, schedules.work);
	}
}

async function occurrences(scheduleId: string) {
	return db
		.selectFrom('assignments')
		.select(['id', 'occurrence', 'status', 'due_at', 'created_at', 'missed_at', 'definition_id'])
		.where('schedule_id', '=', scheduleId)
		.orderBy('occurrence')
		.execute();
}

async function remindersSent() {
	const rows = await db
		.selectFrom('nudges as n')
		.innerJoin('assignments as a', 'a.id', 'n.assignment_id')
		.select(['a.occurrence', 'n.user_id', 'n.kind', 'n.created_at', 'n.email_id'])
		.execute();
	return rows;
}

/** A value any item of this type takes (a lock needs something answered in its section). */
function someAnswer(item: ExerciseItem): unknown {
	switch (item.type) {
		case 'scenario':
			return { choice: 'ok' };
		case 'likert5':
			return 3;
		case 'scale10':
			return 5;
		case 'choice':
			return item.options![0].id;
		case 'checklist':
			return [item.options![0].id];
		case 'list':
			return ['one thing'];
		default:
			return 'An answer.';
	}
}

/** A partner answers the first item of each section of their part of an assignment, then locks it. */
async function finish(who: Person, assignmentId: string) {
	const context = await roomContext.loadContext(db, { id: who.id, role: 'partner' }, assignmentId);
	for (const section of homework.sectionsFor(context!.definition, context!.actor.role)) {
		const first = context!.definition.sections
			.flatMap((s) => s.items)
			.find((item) => item.id === section.itemIds[0])!;
		const saved = await responses.saveAnswer(db, context!, {
			opId: opId(),
			itemId: first.id,
			value: someAnswer(first)
		});
		expect(saved.ok).toBe(true);
		const locked = await responses.lockSection(db, context!, {
			opId: opId(),
			sectionId: section.id
		});
		expect(locked.ok).toBe(true);
	}
}

const who = (scheduleId: string) => ({
	therapistId: practice.therapist.id,
	coupleId: practice.coupleId,
	scheduleId
});

describe('a weekly schedule over simulated weeks', () => {
	it('makes exactly 6 assignments over 6 weeks, and reminders when each opens, the day before it is due and once when overdue', async () => {
		const { scheduleId, openedAssignmentId } = await weekly();
		// The first occurrence opens three days before its Wednesday, which is now.
		expect(openedAssignmentId).toBeTruthy();

		// Both finish on the due day at noon, except: occurrence 2 nobody, occurrence 4 only Sam.
		const skipped: Record<number, Person[]> = {
			2: [practice.alex, practice.sam],
			4: [practice.alex]
		};
		await runClock(at(0), at(45), 6, async (now) => {
			const open = (await occurrences(scheduleId)).find(
				(o) =>
					o.status === 'open' && o.due_at && o.due_at.getTime() - now.getTime() === 12 * HOUR - 1
			);
			if (!open) return;
			for (const partner of [practice.alex, practice.sam]) {
				if (!skipped[open.occurrence!]?.includes(partner)) await finish(partner, open.id);
			}
		});

		const made = await occurrences(scheduleId);
		expect(made.map((o) => o.occurrence)).toEqual([0, 1, 2, 3, 4, 5]);
		expect(made.map((o) => o.created_at.toISOString())).toEqual(
			[0, 7, 14, 21, 28, 35].map((d) => at(d).toISOString())
		);
		expect(made.map((o) => o.due_at!.toISOString())).toEqual(
			[3, 10, 17, 24, 31, 38].map((d) => dueOn(d).toISOString())
		);
		// Unfinished ones closed as missed when the next opened; the rest stay as done.
		expect(made.map((o) => o.missed_at?.toISOString() ?? null)).toEqual([
			null,
			null,
			at(21).toISOString(),
			null,
			at(35).toISOString(),
			null
		]);

		const sent = await remindersSent();
		const expected: [number, string, string, string][] = [];
		for (let k = 0; k < 6; k++) {
			for (const partner of [practice.alex, practice.sam]) {
				expected.push([k, partner.id, 'opened', at(7 * k).toISOString()]);
				expected.push([k, partner.id, 'due-tomorrow', at(7 * k + 2).toISOString()]);
				// Overdue is the last moment of the due day, seen by the next tick at midnight.
				if (skipped[k]?.includes(partner))
					expected.push([k, partner.id, 'overdue', at(7 * k + 4).toISOString()]);
			}
		}
		const key = (r: [number, string, string, string]) => r.join(' ');
		expect(
			sent.map((r) => key([r.occurrence!, r.user_id, r.kind, r.created_at.toISOString()])).sort()
		).toEqual(expected.map(key).sort());
		expect(sent).toHaveLength(27);
		// Each reminder's email is in the outbox once.
		expect(sent.every((r) => r.email_id !== null)).toBe(true);
		const queued = await db.selectFrom('outbox').select('kind').execute();
		expect(queued).toHaveLength(27);

		const views = await schedules.forCouple(db, practice.coupleId);
		expect(views[0]).toMatchObject({
			status: 'ended',
			opened: 6,
			done: 4,
			missed: 2,
			nextDueAt: null,
			current: null
		});
		// The therapist home counts the two missed ones.
		const missed = await schedules.missedSince(db, practice.therapist.id, at(0));
		expect(missed.map((m) => m.assignmentId)).toEqual([made[4].id, made[2].id]);
		expect(await schedules.missedSince(db, practice.stranger.id, at(0))).toEqual([]);
		// Running the scheduler again, later, finds nothing left to do.
		expect(await scheduler.runDue(db, at(60), schedules.work)).toBe(0);
	});

	it('leaves missed occurrences out of the scores and shows partners only the one open now', async () => {
		const { scheduleId } = await weekly({ end: { occurrences: 3 } });
		await runClock(at(0), at(14), 24, async (now) => {
			const open = (await occurrences(scheduleId)).find((o) => o.status === 'open');
			// Only the second one is done by both.
			if (open?.occurrence === 1 && now.getTime() === at(8).getTime()) {
				await finish(practice.alex, open.id);
				await finish(practice.sam, open.id);
			}
		});
		const made = await occurrences(scheduleId);
		expect(made.map((o) => [o.occurrence, o.status, o.missed_at !== null])).toEqual([
			[0, 'closed', true],
			[1, 'open', false],
			[2, 'open', false]
		]);
		const due = (await homework.partnerHome(db, practice.alex.id)).due;
		expect(due.map((d) => d.id)).toEqual([made[2].id]);

		const history = await progress.coupleHistory(db, practice.coupleId);
		expect(history!.scored.map((s) => s.id)).toEqual([made[1].id]);
	});
});

describe('downtime', () => {
	it('catches up exactly once after three missed days, across a restart of the scheduler', async () => {
		const { scheduleId } = await weekly({ end: { occurrences: 4 } });
		// The scheduler ran all week until Saturday.
		await runClock(at(0), at(6), 6);
		let now = at(6);
		let rounds: number[] = [];
		const startScheduler = () => {
			let finished: () => void;
			const firstRound = new Promise<void>((resolve) => (finished = resolve));
			const loop = scheduler.start(db, schedules.work, {
				clock: () => now,
				intervalMs: 3_600_000,
				afterRound: (done) => {
					rounds.push(done);
					finished();
				}
			});
			return { loop, firstRound };
		};

		// Running on Saturday; then down from Saturday to Tuesday (three days).
		const before = startScheduler();
		await before.firstRound;
		await before.loop.stop();
		const beforeDowntime = await remindersSent();
		expect((await occurrences(scheduleId)).map((o) => o.occurrence)).toEqual([0]);

		now = at(9);
		rounds = [];
		const after = startScheduler();
		await after.firstRound;
		await after.loop.stop();
		// Sunday's opening (with occurrence 0 closed as missed) and Tuesday's "due tomorrow".
		expect(rounds).toEqual([2]);
		const made = await occurrences(scheduleId);
		expect(
			made.map((o) => [o.occurrence, o.created_at.toISOString(), o.missed_at !== null])
		).toEqual([
			[0, T0.toISOString(), true],
			[1, at(9).toISOString(), false]
		]);
		const caughtUp = (await remindersSent()).filter((r) => r.occurrence === 1);
		expect(caughtUp.map((r) => r.kind).sort()).toEqual([
			'due-tomorrow',
			'due-tomorrow',
			'opened',
			'opened'
		]);

		// Another restart at the same moment does nothing more.
		rounds = [];
		const again = startScheduler();
		await again.firstRound;
		await again.loop.stop();
		expect(rounds).toEqual([0]);
		expect(await occurrences(scheduleId)).toHaveLength(2);
		expect(await remindersSent()).toHaveLength(beforeDowntime.length + 4);
	});

	it('does not send a reminder more than a day late, but still opens the occurrence', async () => {
		const { scheduleId } = await weekly({ end: { occurrences: 2 } });
		// Down from Sunday until the Thursday after the first Wednesday: its overdue reminder is stale.
		await scheduler.runDue(db, at(0), schedules.work);
		await scheduler.runDue(db, at(5, 12), schedules.work);
		const kinds = (await remindersSent()).filter((r) => r.occurrence === 0).map((r) => r.kind);
		expect(kinds).toEqual(['opened', 'opened']);
		expect(await occurrences(scheduleId)).toHaveLength(1);
		await scheduler.runDue(db, at(7), schedules.work);
		expect(await occurrences(scheduleId)).toHaveLength(2);
	});
});

describe('the therapist’s changes', () => {
	it('pauses (nothing opens, no reminders), resumes from the next day after today, and stopping keeps what was done', async () => {
		const { scheduleId } = await weekly();
		await finish(practice.sam, (await occurrences(scheduleId))[0].id);
		expect(await schedules.pause(db, who(scheduleId), at(1))).toEqual({ ok: true });
		expect((await schedules.pause(db, who(scheduleId), at(1))).ok).toBe(false);
		await runClock(at(1), at(20), 12);
		expect(await occurrences(scheduleId)).toHaveLength(1);
		// Only the reminders from before the pause.
		expect((await remindersSent()).map((r) => r.kind)).toEqual(['opened', 'opened']);

		// Resumed on a Saturday: the next Wednesday is due, opening the Sunday before.
		expect(await schedules.resume(db, who(scheduleId), at(20))).toEqual({ ok: true });
		await runClock(at(20, 12), at(22), 12);
		const made = await occurrences(scheduleId);
		expect(made.map((o) => [o.occurrence, o.due_at!.toISOString(), o.missed_at !== null])).toEqual([
			[0, dueOn(3).toISOString(), true],
			[1, dueOn(24).toISOString(), false]
		]);
		// The weeks skipped in the pause are not counted as missed.
		expect((await schedules.forCouple(db, practice.coupleId))[0]).toMatchObject({
			status: 'active',
			opened: 2,
			missed: 1,
			nextDueAt: dueOn(31)
		});

		await finish(practice.alex, made[1].id);
		await finish(practice.sam, made[1].id);
		expect(await schedules.stop(db, who(scheduleId), at(22))).toEqual({ ok: true });
		await runClock(at(22), at(60), 24);
		const stopped = await occurrences(scheduleId);
		expect(stopped).toHaveLength(2);
		expect((await schedules.forCouple(db, practice.coupleId))[0]).toMatchObject({
			status: 'stopped',
			done: 1,
			missed: 1,
			nextDueAt: null
		});
		expect((await schedules.resume(db, who(scheduleId), at(60))).ok).toBe(false);
	});

	it('resumed before the open occurrence is due, never schedules the next one before it', async () => {
		const { scheduleId } = await weekly();
		await schedules.pause(db, who(scheduleId), at(1));
		// Resumed on Tuesday: the next Wednesday is the open one's own due day, so a week later.
		await schedules.resume(db, who(scheduleId), at(2));
		await runClock(at(2), at(8), 12);
		const made = await occurrences(scheduleId);
		expect(made.map((o) => [o.due_at!.toISOString(), o.missed_at?.toISOString() ?? null])).toEqual([
			[dueOn(3).toISOString(), at(7).toISOString()],
			[dueOn(10).toISOString(), null]
		]);
	});

	it('moves the occurrences still to open to another weekday, from the next one', async () => {
		const { scheduleId } = await weekly();
		// From Wednesdays to Fridays: the next one is due Friday the 18th instead of Wednesday the 16th.
		expect(await schedules.changeDay(db, who(scheduleId), 5, at(1))).toEqual({ ok: true });
		await runClock(at(1), at(16), 24);
		const made = await occurrences(scheduleId);
		expect(made.map((o) => o.due_at!.toISOString())).toEqual([
			dueOn(3).toISOString(),
			dueOn(12).toISOString(),
			dueOn(19).toISOString()
		]);
		expect(made.map((o) => o.created_at.toISOString())).toEqual(
			[0, 9, 16].map((d) => at(d).toISOString())
		);
		expect((await schedules.changeDay(db, who(scheduleId), 9, at(14))).ok).toBe(false);
	});

	it('keeps a running schedule on its exercise version when the exercise is edited, until the therapist moves it', async () => {
		const saved = await exercises.createCustom(db, practice.therapist.id, testExercise);
		if (!saved.ok) throw new Error('not saved');
		const { scheduleId } = await weekly({ definitionId: saved.id });
		const edited = await exercises.updateCustom(db, practice.therapist.id, saved.id, {
			...testExercise,
			title: 'Test lines, edited'
		});
		expect(edited).toMatchObject({ ok: true, isNewVersion: true });
		await runClock(at(1), at(7), 24);
		const view = (await schedules.forCouple(db, practice.coupleId))[0];
		expect(view).toMatchObject({ version: 1, newerVersion: 2 });

		expect(await schedules.useNewestVersion(db, who(scheduleId))).toEqual({ ok: true });
		await runClock(at(8), at(14), 24);
		const made = await occurrences(scheduleId);
		const newest = edited && edited.ok ? edited.id : '';
		expect(made.map((o) => o.definition_id)).toEqual([saved.id, saved.id, newest]);
		expect((await schedules.useNewestVersion(db, who(scheduleId))).ok).toBe(false);
	});

	it('gives each occurrence the schedule’s reveal policy', async () => {
		const held = await weekly({ revealPolicy: 'session' }, at(0, 12));
		await runClock(at(0, 12), at(8), 12);
		const occurrences = await db
			.selectFrom('assignments')
			.select('reveal_policy')
			.where('schedule_id', '=', held.scheduleId)
			.execute();
		expect(occurrences.length).toBeGreaterThanOrEqual(2);
		expect(occurrences.every((o) => o.reveal_policy === 'session')).toBe(true);
		const usual = await weekly({}, at(0, 12));
		const opened = await db
			.selectFrom('assignments')
			.select('reveal_policy')
			.where('schedule_id', '=', usual.scheduleId)
			.execute();
		expect(opened.length).toBeGreaterThan(0);
		expect(opened.map((o) => o.reveal_policy)).not.toContain('session');
	});

	it('pauses a couple’s schedules when the couple is archived', async () => {
		const { scheduleId } = await weekly();
		expect(await couples.setArchived(db, practice.therapist.id, practice.coupleId, true)).toBe(
			true
		);
		await runClock(at(1), at(30), 24);
		expect(await occurrences(scheduleId)).toHaveLength(1);
		const row = await db
			.selectFrom('schedules')
			.select('status')
			.where('id', '=', scheduleId)
			.executeTakeFirstOrThrow();
		expect(row.status).toBe('paused');
		expect((await schedules.resume(db, who(scheduleId), at(30))).ok).toBe(false);
	});

	it('refuses another therapist’s schedule and junk ids as not found', async () => {
		const { scheduleId } = await weekly();
		const stranger = { ...who(scheduleId), therapistId: practice.stranger.id };
		expect(await schedules.pause(db, stranger, at(1))).toMatchObject({ ok: false, status: 404 });
		expect(await schedules.stop(db, { ...who('nope'), scheduleId: 'nope' })).toMatchObject({
			ok: false,
			status: 404
		});
		const created = await schedules.create(db, practice.stranger.id, {
			coupleId: practice.coupleId,
			definitionId: checkInId,
			cadence: 'weekly',
			firstDueAt: at(3),
			end: { occurrences: 4 }
		});
		expect(created.ok).toBe(false);
	});

	it('checks the end: 2 to 52 times, or an end date leaving room for two', async () => {
		const base = {
			coupleId: practice.coupleId,
			definitionId: checkInId,
			cadence: 'weekly' as const,
			firstDueAt: at(3)
		};
		for (const end of [
			{ occurrences: 1 },
			{ occurrences: 53 },
			{ until: at(5) },
			{ until: at(400) }
		]) {
			expect(await schedules.create(db, practice.therapist.id, { ...base, end }, T0)).toMatchObject(
				{
					ok: false
				}
			);
		}
		const monthly = await schedules.create(
			db,
			practice.therapist.id,
			{
				...base,
				cadence: 'monthly',
				firstDueAt: new Date('2030-01-31T00:00:00Z'),
				end: { until: new Date('2030-04-30T00:00:00Z') }
			},
			T0
		);
		expect(monthly.ok).toBe(true);
		// The 31st of each month, or the month's last day.
		const rows = await db.selectFrom('schedules').select(['next_due_at', 'due_day']).execute();
		expect(rows[0].due_day).toBe(31);
		expect(
			schedules.followingDue('monthly', 31, new Date('2030-01-31T23:59:59Z')).toISOString()
		).toBe('2030-02-28T23:59:59.999Z');
	});
});

describe('reminder switches', () => {
	it('sends no automatic reminders when the therapist turns them off; her nudge still goes', async () => {
		expect(
			await schedules.setAutoReminders(db, practice.therapist.id, practice.coupleId, false)
		).toBe(true);
		const { scheduleId, openedAssignmentId } = await weekly();
		await runClock(at(0), at(6), 24);
		expect(await remindersSent()).toEqual([]);
		const context = await roomContext.loadContext(
			db,
			{ id: practice.therapist.id, role: 'therapist' },
			openedAssignmentId!
		);
		const nudged = await reminders.nudge(db, context!, practice.alex.id, 'http://localhost');
		expect(nudged).toMatchObject({ ok: true });
		expect((await remindersSent()).map((r) => r.kind)).toEqual(['nudge']);
		expect(await occurrences(scheduleId)).toHaveLength(1);
	});

	it('shows a partner who turned email off the reminder in-app only', async () => {
		await reminders.setEmailReminders(db, practice.alex.id, false);
		await weekly();
		const sent = await remindersSent();
		expect(sent.map((r) => [r.user_id === practice.alex.id, r.email_id !== null]).sort()).toEqual([
			[false, true],
			[true, false]
		]);
		expect((await homework.partnerHome(db, practice.alex.id)).reminders).toMatchObject([
			{ kind: 'opened' }
		]);
		const { n } = (await sql<{ n: number }>`select count(*)::int as n from outbox`.execute(db))
			.rows[0];
		expect(n).toBe(1);
	});
});
