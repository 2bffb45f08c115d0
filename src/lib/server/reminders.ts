// Homework reminders: the therapist's nudge and the scheduler's automatic ones (when an occurrence
// opens, the day before it is due, once when overdue). Each is shown in-app on /c and, when email is
// set up, the partner has an address and has not turned reminder emails off, queued in the outbox in
// the same transaction. The scheduler's reminders exist at most once per partner and kind.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema';
import { columnOf } from './db/column';
import type { ReminderKind } from './db/schema';
import type { RoomContext } from './rooms/context';
import * as homework from './homework';
import * as outbox from './outbox';
import { reminderEmail } from './email';
import { config } from './config';

export type { ReminderKind };

/** Where links in email point when no request says: ORIGIN, else this machine. */
export function appOrigin(): string {
	const { publicOrigin, port } = config();
	return publicOrigin ?? `http://localhost:${port}`;
}

interface Delivered {
	reminderId: string;
	emailId: string | null;
}

/** Queues a reminder's email and links it to the reminder; null when it cannot or may not go. */
async function queueEmail(
	db: Kysely<Database>,
	reminder: { id: string; assignmentId: string; userId: string; kind: ReminderKind },
	now: Date,
	origin: string
): Promise<string | null> {
	const people = await db
		.selectFrom('assignments as a')
		.innerJoin('couples as c', 'c.id', 'a.couple_id')
		.innerJoin('users as therapist', 'therapist.id', 'c.therapist_id')
		.innerJoin('users as partner', (join) => join.on('partner.id', '=', reminder.userId))
		.select([
			'a.due_at',
			'therapist.display_name as therapistName',
			'partner.display_name as partnerName',
			'partner.email',
			'partner.email_reminders',
			'partner.time_zone as partnerTimeZone'
		])
		.where('a.id', '=', reminder.assignmentId)
		.executeTakeFirst();
	if (!people?.email || !people.email_reminders) return null;
	const emailId = await outbox.enqueue(
		db,
		{
			kind: 'reminder',
			to: people.email,
			...reminderEmail({
				kind: reminder.kind,
				partnerName: people.partnerName,
				therapistName: people.therapistName,
				dueAt: people.due_at,
				timeZone: people.partnerTimeZone,
				origin
			}),
			// The scheduler's reminders go once; each of the therapist's nudges is its own email.
			dedupeKey:
				reminder.kind === 'nudge'
					? undefined
					: `reminder:${reminder.assignmentId}:${reminder.userId}:${reminder.kind}`
		},
		{ now }
	);
	if (emailId) {
		await db
			.updateTable('nudges')
			.set({ email_id: emailId })
			.where('id', '=', reminder.id)
			.execute();
	}
	return emailId;
}

/**
 * The scheduler's reminder of one kind to each partner who has not finished the assignment; returns
 * how many partners were reminded. Run it in the transaction of the work that caused it.
 */
export async function remindPartners(
	db: Kysely<Database>,
	input: { assignmentId: string; kind: Exclude<ReminderKind, 'nudge'>; now: Date }
): Promise<number> {
	const [summary] = await homework.summaries(db, { assignmentId: input.assignmentId });
	if (!summary) return 0;
	let reminded = 0;
	for (const partner of summary.partners) {
		if (partner.status === 'locked') continue;
		const row = await db
			.insertInto('nudges')
			.values({
				assignment_id: input.assignmentId,
				user_id: partner.userId,
				sent_by: null,
				kind: input.kind,
				created_at: input.now
			})
			// The partial unique index nudges_automatic_once: this kind was already sent to this partner.
			.onConflict((oc) => oc.doNothing())
			.returning('id')
			.executeTakeFirst();
		if (!row) continue;
		await queueEmail(
			db,
			{ id: row.id, assignmentId: input.assignmentId, userId: partner.userId, kind: input.kind },
			input.now,
			appOrigin()
		);
		reminded += 1;
	}
	return reminded;
}

/**
 * The therapist's "nudge": an in-app reminder, and its email in the outbox, in one transaction. Call
 * outbox.wake() after it resolves.
 */
export async function nudge(
	db: Kysely<Database>,
	context: RoomContext,
	partnerId: string,
	origin: string
): Promise<({ ok: true } & Delivered) | { ok: false; message: string }> {
	return db.transaction().execute(async (trx) => {
		const sent = await homework.nudge(trx, context, partnerId);
		if (!sent.ok) return sent;
		const reminder = {
			id: sent.id,
			assignmentId: context.assignment.id,
			userId: partnerId,
			kind: 'nudge' as const
		};
		const emailId = await queueEmail(trx, reminder, new Date(), origin);
		return { ok: true as const, reminderId: sent.id, emailId };
	});
}

/** A partner's switch for reminder emails (in-app reminders always show). */
export async function setEmailReminders(db: Kysely<Database>, userId: string, isOn: boolean) {
	await db
		.updateTable('users')
		.set({ email_reminders: isOn })
		.where('id', '=', userId)
		.where('role', '=', 'partner')
		.execute();
}

export async function emailRemindersOn(db: Kysely<Database>, userId: string): Promise<boolean> {
	return (await columnOf(db, 'users', 'email_reminders', userId)) ?? true;
}
