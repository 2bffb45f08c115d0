import { error, fail } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/guards';
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

async function fields(request: Request) {
	const formData = await request.formData().catch(() => null);
	return formData
		? Object.fromEntries([...formData].filter(([, v]) => typeof v === 'string'))
		: null;
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
		const body = await fields(request);
		if (!body) return fail(400, { message: 'The note could not be read; it was not saved.' });
		const result = await notes.saveDraft(
			db(),
			appKeyring(),
			{ userId: user.id, ip: getClientAddress() },
			params.noteId,
			body
		);
		if (!result.ok) return fail(refusal[result.reason][0], { message: refusal[result.reason][1] });
		return { savedAt: new Date().toISOString() };
	},
	sign: async ({ locals, params, request, getClientAddress }) => {
		const { user } = requireTherapist(locals);
		const actor = { userId: user.id, ip: getClientAddress() };
		const body = await fields(request);
		// Save what is on screen first, so the signed note is exactly what the therapist read.
		if (body) await notes.saveDraft(db(), appKeyring(), actor, params.noteId, body);
		const result = await notes.sign(db(), appKeyring(), actor, params.noteId);
		if (!result.ok) return fail(refusal[result.reason][0], { message: refusal[result.reason][1] });
		return { signed: true };
	},
	addendum: async ({ locals, params, request, getClientAddress }) => {
		const { user } = requireTherapist(locals);
		const body = await fields(request);
		const text = typeof body?.text === 'string' ? body.text : '';
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
