import { error, fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { readForm } from '$lib/server/forms';
import * as roomContext from '$lib/server/rooms/context';
import * as control from '$lib/server/rooms/control';
import { viewFor } from '$lib/server/rooms/view';
import * as safety from '$lib/server/safety';
import * as notes from '$lib/server/notes';
import { appKeyring } from '$lib/server/crypto/keyring';
import type { Actions, PageServerLoad } from './$types';

const NOT_READ = 'The notes could not be read; they were not saved.';
const RoomNotesForm = v.object({ text: v.string(NOT_READ) });

export const load = (async ({ locals, params, getClientAddress }) => {
	const { user, session } = locals;
	if (!user || !session) redirect(303, '/login');
	if (user.role === 'therapist' && !session.two_factor_verified) redirect(303, '/login/totp');
	const context = await roomContext.loadContext(db(), user, params.assignmentId);
	if (!context) error(404, 'There is no such room, or it is not yours.');
	const couplePage = `/app/couples/${context.coupleId}`;
	const roomNotes =
		user.role === 'therapist'
			? await notes.roomNotes(
					db(),
					appKeyring(),
					{ userId: user.id, ip: getClientAddress() },
					context.assignment.id
				)
			: null;
	return {
		view: await viewFor(db(), context),
		crisisResources: await safety.crisisResources(db(), context.therapistId),
		roomNotes,
		// The therapist's "Held for this session": the couple's homework waiting for her reveal.
		held:
			context.actor.kind === 'therapist' && context.assignment.mode === 'live'
				? await control.heldForSession(db(), context)
				: [],
		homeHref: user.role === 'therapist' ? couplePage : '/c',
		// Where the end screen sends each: partners home; the therapist to the results, the session
		// note to sign (the draft written beside the room, or the notes page) and the couple page.
		endLinks:
			user.role === 'therapist'
				? [
						{
							href: `${couplePage}/assignments/${context.assignment.id}`,
							label: 'See the results'
						},
						{
							href: roomNotes ? `${couplePage}/notes/${roomNotes.noteId}` : `${couplePage}/notes`,
							label: roomNotes?.isSigned ? 'Read the signed session note' : 'Sign the session note'
						},
						{ href: couplePage, label: `Back to ${context.coupleLabel}` }
					]
				: [{ href: '/c', label: 'Back to home' }],
		// A shared-device session belongs to one tab here too (SharedDeviceGuard), as in /c.
		sharedDevice: session.shared_device
	};
}) satisfies PageServerLoad;

export const actions = {
	/** The therapist's notes beside the room, autosaved into a draft note of this session. */
	notes: async ({ locals, params, request, getClientAddress }) => {
		const { user, session } = locals;
		if (!user || !session || user.role !== 'therapist' || !session.two_factor_verified)
			error(404, 'Not found.');
		const context = await roomContext.loadContext(db(), user, params.assignmentId);
		if (!context) error(404, 'There is no such room, or it is not yours.');
		const parsed = await readForm(request, RoomNotesForm);
		if (!parsed.ok) return fail(400, { message: parsed.errors.form ? NOT_READ : parsed.message });
		const { text } = parsed.data;
		const result = await notes.saveRoomNotes(
			db(),
			appKeyring(),
			{ userId: user.id, ip: getClientAddress() },
			{ assignmentId: context.assignment.id, coupleId: context.coupleId },
			text
		);
		if (!result.ok)
			return fail(409, {
				message: 'These notes are signed now; add an addendum on the notes page.'
			});
		return { savedAt: new Date().toISOString() };
	}
} satisfies Actions;
