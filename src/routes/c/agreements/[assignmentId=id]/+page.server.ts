import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requirePartner } from '$lib/server/auth/guards';
import * as roomContext from '$lib/server/rooms/context';
import * as homework from '$lib/server/homework';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, params }) => {
	const { user } = requirePartner(locals);
	const context = await roomContext.loadContext(db(), user, params.assignmentId);
	if (!context) error(404, 'There is no such agreement, or it is not yours.');
	const agreement = (await homework.agreements(db(), context.coupleId)).find(
		(a) => a.assignmentId === context.assignment.id
	);
	if (!agreement) error(404, 'Nothing has been agreed in this exercise yet.');
	return {
		coupleLabel: context.coupleLabel,
		partners: context.members.map((m) => m.name),
		agreement
	};
}) satisfies PageServerLoad;
