import { error, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requirePartner } from '$lib/server/auth/guards';
import * as roomContext from '$lib/server/rooms/context';
import * as homework from '$lib/server/homework';
import * as safety from '$lib/server/safety';
import { viewFor } from '$lib/server/rooms/view';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, params }) => {
	const { user } = requirePartner(locals);
	const context = await roomContext.loadContext(db(), user, params.assignmentId);
	if (!context) error(404, 'There is no such exercise, or it is not yours.');
	if (context.assignment.mode === 'live') redirect(303, `/live/${context.assignment.id}`);
	const [view, crisisResources] = await Promise.all([
		viewFor(db(), context),
		safety.crisisResources(db(), context.therapistId),
		homework.dismissReminders(db(), context.assignment.id, user.id)
	]);
	const partner = context.members.find((m) => m.userId !== user.id);
	return {
		view,
		crisisResources,
		partner: { userId: partner?.userId ?? null, name: partner?.name ?? 'Your partner' }
	};
}) satisfies PageServerLoad;
