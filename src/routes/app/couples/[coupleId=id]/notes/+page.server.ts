import { error, fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import { appKeyring } from '$lib/server/crypto/keyring';
import * as couples from '$lib/server/couples';
import * as notes from '$lib/server/notes';
import { day, readForm } from '$lib/server/forms';
import type { Actions, PageServerLoad } from './$types';

const NewNote = v.object({
	kind: v.picklist(
		['progress', 'psychotherapy'],
		'Choose a progress note or a psychotherapy note.'
	),
	template: v.picklist(['soap', 'dap', 'birp', 'free'], 'Choose a template.'),
	sessionDate: day('Give the session date as a real date, like 2026-03-14.')
});

export const load = (async ({ locals, params }) => {
	const { user } = requireTherapist(locals);
	const list = await notes.list(db(), { userId: user.id }, params.coupleId);
	if (!list) error(404, 'There is no such couple.');
	const coupleLabel = (await couples.labelOf(db(), params.coupleId)) ?? '';
	return {
		coupleId: params.coupleId,
		coupleLabel,
		notes: list,
		templates: Object.entries(notes.TEMPLATES).map(([id, t]) => ({ id, label: t.label })),
		today: new Date().toISOString().slice(0, 10)
	};
}) satisfies PageServerLoad;

export const actions = {
	default: async ({ locals, params, request, getClientAddress }) => {
		const { user } = requireTherapist(locals);
		const parsed = await readForm(request, NewNote);
		if (!parsed.ok) return fail(400, { message: parsed.message, values: parsed.values });
		const id = await notes.createDraft(
			db(),
			appKeyring(),
			{ userId: user.id, ip: getClientAddress() },
			{
				coupleId: params.coupleId,
				...parsed.data
			}
		);
		if (!id) error(404, 'There is no such couple.');
		redirect(303, `/app/couples/${params.coupleId}/notes/${id}`);
	}
} satisfies Actions;
