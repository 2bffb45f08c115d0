import { error, fail } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { readForm } from '$lib/server/forms';
import { requireTherapist } from '$lib/server/auth/guards';
import { appKeyring } from '$lib/server/crypto/keyring';
import * as notes from '$lib/server/notes';
import type { Actions, PageServerLoad } from './$types';

export const load = (async ({ locals, params, getClientAddress }) => {
	const { user } = requireTherapist(locals);
	const note = await notes.get(
		db(),
		appKeyring(),
		{ userId: user.id, ip: getClientAddress() },
		params.noteId
	);
	if (!note || note.coupleId !== params.coupleId) error(404, 'There is no such note.');
	return {
		note,
		fields: notes.TEMPLATES[note.template].fields,
		templateLabel: notes.TEMPLATES[note.template].label
	};
}) satisfies PageServerLoad;

// The template's fields are picked by notes.saveDraft; anything else posted is ignored there.
const NoteFields = v.record(v.string(), v.union([v.string(), v.array(v.string())]));
const Addendum = v.object({ text: v.optional(v.string(), '') });

function noteRefusal(failure: { errors: Record<string, string> }) {
	return failure.errors.form
		? 'The note could not be read; it was not saved.'
		: `Not saved: ${Object.values(failure.errors)[0]}`;
}

const refusal = {
	'not-found': [404, 'There is no such note.'],
	signed: [409, 'This note is signed and can no longer change; add an addendum instead.'],
	unsigned: [409, 'Sign the note before adding an addendum.'],
	empty: [400, 'Write the addendum first.']
} as const;

export const actions = {
	save: async ({ locals, params, request, getClientAddress }) => {
		const { user } = requireTherapist(locals);
		const body = await readForm(request, NoteFields);
		if (!body.ok) return fail(400, { message: noteRefusal(body) });
		const result = await notes.saveDraft(
			db(),
			appKeyring(),
			{ userId: user.id, ip: getClientAddress() },
			params.noteId,
			body.data
		);
		if (!result.ok) return fail(refusal[result.reason][0], { message: refusal[result.reason][1] });
		return { savedAt: new Date().toISOString() };
	},
	sign: async ({ locals, params, request, getClientAddress }) => {
		const { user } = requireTherapist(locals);
		const actor = { userId: user.id, ip: getClientAddress() };
		const body = await readForm(request, NoteFields);
		// Sign exactly what is on screen: save it first, and sign nothing that could not be saved.
		if (!body.ok) return fail(400, { message: noteRefusal(body) });
		await notes.saveDraft(db(), appKeyring(), actor, params.noteId, body.data);
		const result = await notes.sign(db(), appKeyring(), actor, params.noteId);
		if (!result.ok) return fail(refusal[result.reason][0], { message: refusal[result.reason][1] });
		return { signed: true };
	},
	addendum: async ({ locals, params, request, getClientAddress }) => {
		const { user } = requireTherapist(locals);
		const body = await readForm(request, Addendum);
		if (!body.ok) return fail(400, { message: body.message, text: body.values.text ?? '' });
		const { text } = body.data;
		const result = await notes.addAddendum(
			db(),
			appKeyring(),
			{ userId: user.id, ip: getClientAddress() },
			params.noteId,
			text
		);
		if (!result.ok)
			return fail(refusal[result.reason][0], { message: refusal[result.reason][1], text });
		return { addendumSaved: true };
	}
} satisfies Actions;
