import { error, fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import { day, readForm } from '$lib/server/forms';
import { id } from '$lib/input';
import * as assignments from '$lib/server/assignments';
import * as exercises from '$lib/server/exercises';
import type { Actions, PageServerLoad } from './$types';

async function coupleOf(therapistId: string, coupleId: string) {
	return (
		db()
			.selectFrom('couples')
			.select(['id', 'label'])
			.where('id', '=', coupleId)
			.where('therapist_id', '=', therapistId)
			// An archived couple's record is read-only: nothing new is assigned to it.
			.where('archived_at', 'is', null)
			.executeTakeFirst()
	);
}

export const load = (async ({ locals, params, url }) => {
	const { user } = requireTherapist(locals);
	const couple = await coupleOf(user.id, params.coupleId);
	if (!couple) error(404, 'There is no such couple, or it is not yours.');
	const library = await exercises.list(db(), user.id);
	const inWeek = new Date(Date.now() + 7 * 24 * 3600_000).toISOString().slice(0, 10);
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
			dueAt: v.pipe(
				day('Choose a due date.'),
				v.transform((day) => new Date(`${day}T23:59:59Z`)),
				v.check((due) => due.getTime() > Date.now() - 24 * 3600_000, 'The due date is in the past.')
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

export const actions = {
	default: async ({ locals, params, request }) => {
		const { user } = requireTherapist(locals);
		const couple = await coupleOf(user.id, params.coupleId);
		if (!couple) error(404, 'There is no such couple, or it is not yours.');
		const parsed = await readForm(request, Assign);
		if (!parsed.ok) {
			// Homework or live is a choice of two radios: only a tampered form misses it.
			const message =
				parsed.errors.form ?? parsed.errors.mode ?? 'Please fix the fields marked below.';
			return fail(400, { message, errors: parsed.errors, values: parsed.values });
		}
		const input = parsed.data;
		const created = await assignments.create(db(), user.id, {
			coupleId: couple.id,
			definitionId: input.definitionId,
			mode: input.mode,
			dueAt: input.mode === 'homework' ? input.dueAt : null,
			note: input.note || null
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
