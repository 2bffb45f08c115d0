import { error, fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import { day, echoValues, parseForm, readFormData, unreadable } from '$lib/server/forms';
import { id } from '$lib/input';
import { calendarDay, endOfDay } from '$lib/dates';
import * as assignments from '$lib/server/assignments';
import * as couples from '$lib/server/couples';
import * as exercises from '$lib/server/exercises';
import * as outbox from '$lib/server/outbox';
import * as schedules from '$lib/server/schedules';
import type { Actions, PageServerLoad } from './$types';

export const load = (async ({ locals, params, url }) => {
	const { user } = requireTherapist(locals);
	const couple = await couples.openForTherapist(db(), user.id, params.coupleId);
	if (!couple) error(404, 'There is no such couple, or it is not yours.');
	const library = await exercises.list(db(), user.id);
	const inWeek = calendarDay(Date.now() + 7 * 24 * 3600_000, user.timeZone);
	return {
		couple,
		library: library.map((e) => ({
			id: e.id,
			title: e.definition.title,
			purpose: e.definition.purpose,
			version: e.version,
			isBuiltIn: e.isBuiltIn,
			itemCount: e.itemCount,
			minutes: e.definition.estimatedMinutes ?? null
		})),
		selected: url.searchParams.get('definition'),
		defaultDue: inWeek
	};
}) satisfies PageServerLoad;

const Assign = v.variant(
	'mode',
	[
		v.object({
			mode: v.literal('homework'),
			definitionId: id('Choose an exercise.'),
			// A day: it becomes a moment (the end of that day on the therapist's clock) in the action.
			dueAt: day('Choose a due date.'),
			revealPolicy: v.optional(
				v.picklist(['on_lock', 'session'], 'Choose when the partners see each other’s answers.'),
				'on_lock'
			),
			note: v.optional(
				v.pipe(v.string(), v.trim(), v.maxLength(1000, 'Keep the note under 1,000 characters.')),
				''
			)
		}),
		v.object({
			mode: v.literal('live'),
			definitionId: id('Choose an exercise.'),
			note: v.optional(
				v.pipe(v.string(), v.trim(), v.maxLength(1000, 'Keep the note under 1,000 characters.')),
				''
			)
		})
	],
	'Choose homework or live.'
);

// Repeating homework (issue 17): how often, until when, and how early each occurrence opens. The
// weekday (or day of the month) it is due on is the first due date's.
const Repeat = v.object({
	repeat: v.optional(
		v.picklist(['none', 'weekly', 'fortnightly', 'monthly'], 'Choose how often it repeats.'),
		'none'
	),
	ends: v.optional(v.picklist(['after', 'on'], 'Choose when the repeating ends.')),
	occurrences: v.optional(v.pipe(v.string(), v.trim()), ''),
	until: v.optional(v.pipe(v.string(), v.trim()), ''),
	opensDaysBefore: v.optional(v.pipe(v.string(), v.trim()), '')
});
const COUNT_MESSAGE = `Choose from ${schedules.MIN_OCCURRENCES} to ${schedules.MAX_OCCURRENCES} times.`;
const Occurrences = v.pipe(
	v.string(),
	v.regex(/^\d{1,3}$/, COUNT_MESSAGE),
	v.transform(Number),
	v.minValue(schedules.MIN_OCCURRENCES, COUNT_MESSAGE),
	v.maxValue(schedules.MAX_OCCURRENCES, COUNT_MESSAGE)
);
const Until = v.pipe(v.string(), v.isoDate('Choose the date the repeating ends.'));
const OPENS_MESSAGE = 'Choose from 0 to 6 days before each due date.';
const OpensDaysBefore = v.pipe(
	v.string(),
	v.regex(/^\d$/, OPENS_MESSAGE),
	v.transform(Number),
	v.maxValue(6, OPENS_MESSAGE)
);

type RepeatChoice =
	| { ok: true; repeat: null }
	| {
			ok: true;
			repeat: { cadence: schedules.Cadence; end: schedules.End; opensDaysBefore: number };
	  }
	| { ok: false; errors: Record<string, string> };

/** Reads the repeat fields: none, or a cadence with a number of times or an end date (not both). */
function repeatOf(formData: FormData, timeZone: string): RepeatChoice {
	const parsed = parseForm(formData, Repeat);
	if (!parsed.ok) return { ok: false, errors: parsed.errors };
	const { repeat, ends, occurrences, until, opensDaysBefore } = parsed.data;
	if (repeat === 'none') return { ok: true, repeat: null };
	const endsOn = ends ?? (until && !occurrences ? 'on' : occurrences && !until ? 'after' : null);
	if (!endsOn) {
		return {
			ok: false,
			errors: {
				ends: occurrences
					? 'Choose a number of times or an end date, not both.'
					: 'Say how many times it repeats, or until when.'
			}
		};
	}
	const end =
		endsOn === 'after' ? v.safeParse(Occurrences, occurrences) : v.safeParse(Until, until);
	if (!end.success) {
		return {
			ok: false,
			errors: { [endsOn === 'after' ? 'occurrences' : 'until']: end.issues[0].message }
		};
	}
	const opens = v.safeParse(
		OpensDaysBefore,
		opensDaysBefore || String(schedules.DEFAULT_OPENS_DAYS_BEFORE)
	);
	if (!opens.success) return { ok: false, errors: { opensDaysBefore: opens.issues[0].message } };
	return {
		ok: true,
		repeat: {
			cadence: repeat,
			end:
				typeof end.output === 'number'
					? { occurrences: end.output }
					: { until: endOfDay(end.output, timeZone) },
			opensDaysBefore: opens.output
		}
	};
}

export const actions = {
	default: async ({ locals, params, request }) => {
		const { user } = requireTherapist(locals);
		const couple = await couples.openForTherapist(db(), user.id, params.coupleId);
		if (!couple) error(404, 'There is no such couple, or it is not yours.');
		const formData = await readFormData(request);
		if (!formData) return fail(400, unreadable());
		const parsed = parseForm(formData, Assign);
		if (!parsed.ok) {
			// Homework or live is a choice of two radios: only a tampered form misses it.
			const message =
				parsed.errors.form ?? parsed.errors.mode ?? 'Please fix the fields marked below.';
			return fail(400, { message, errors: parsed.errors, values: parsed.values });
		}
		// A due day ends at midnight on the therapist's clock, whatever the partners' (dates.ts).
		const dueAt =
			parsed.data.mode === 'homework' ? endOfDay(parsed.data.dueAt, user.timeZone) : null;
		if (dueAt && dueAt.getTime() < Date.now()) {
			return fail(400, {
				message: 'Please fix the fields marked below.',
				errors: { dueAt: 'The due date is in the past.' } as Record<string, string>,
				values: echoValues(formData)
			});
		}
		const input = parsed.data;
		const repeating = repeatOf(formData, user.timeZone);
		if (!repeating.ok) return fail(400, { errors: repeating.errors, values: echoValues(formData) });
		if (repeating.repeat && input.mode === 'homework') {
			const scheduled = await schedules.create(db(), user.id, {
				coupleId: couple.id,
				definitionId: input.definitionId,
				cadence: repeating.repeat.cadence,
				firstDueAt: dueAt!,
				end: repeating.repeat.end,
				opensDaysBefore: repeating.repeat.opensDaysBefore,
				note: input.note || null,
				revealPolicy: input.revealPolicy
			});
			if (!scheduled.ok) {
				return fail(400, {
					errors: { [scheduled.field]: scheduled.message },
					values: echoValues(formData)
				});
			}
			outbox.wake();
			redirect(303, `/app/couples/${couple.id}#schedules`);
		}
		if (repeating.repeat) {
			return fail(400, {
				errors: { repeat: 'A live session does not repeat: choose homework to repeat it.' },
				values: echoValues(formData)
			});
		}
		const created = await assignments.create(db(), user.id, {
			coupleId: couple.id,
			definitionId: input.definitionId,
			mode: input.mode,
			dueAt,
			note: input.note || null,
			revealPolicy: input.mode === 'homework' ? input.revealPolicy : 'on_lock'
		});
		if (!created) {
			return fail(400, {
				message: 'Please fix the fields marked below.',
				errors: { definitionId: 'Choose an exercise from your library.' },
				values: {} as Record<string, string>
			});
		}
		redirect(
			303,
			input.mode === 'live'
				? `/live/${created.id}`
				: `/app/couples/${couple.id}/assignments/${created.id}`
		);
	}
} satisfies Actions;
