import { error, fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/guards';
import { parseForm } from '$lib/server/forms';
import * as assignments from '$lib/server/assignments';
import * as exercises from '$lib/server/exercises';
import type { Actions, PageServerLoad } from './$types';

async function coupleOf(therapistId: string, coupleId: string) {
	if (!/^[0-9a-f-]{36}$/i.test(coupleId)) return null;
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
			definitionId: v.string('Choose an exercise.'),
			dueAt: v.pipe(
				v.string('Choose a due date.'),
				v.isoDate('Choose a due date.'),
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
			definitionId: v.string('Choose an exercise.'),
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
		const parsed = parseForm(await request.formData(), Assign);
		if (!parsed.ok) return fail(400, { errors: parsed.errors, values: parsed.values });
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
