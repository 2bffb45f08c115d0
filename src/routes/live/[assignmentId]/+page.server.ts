import { error, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import * as assignments from '$lib/server/assignments';
import { viewFor } from '$lib/server/room-view';
import * as safety from '$lib/server/safety';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, params }) => {
	const { user, session } = locals;
	if (!user || !session) redirect(303, '/login');
	if (user.role === 'therapist' && !session.two_factor_verified) redirect(303, '/login/totp');
	const context = await assignments.loadContext(db(), user, params.assignmentId);
	if (!context) error(404, 'There is no such room, or it is not yours.');
	return {
		view: await viewFor(db(), context),
		crisisResources: await safety.crisisResources(db(), context.therapistId),
		homeHref: user.role === 'therapist' ? `/app/couples/${context.coupleId}` : '/c'
	};
}) satisfies PageServerLoad;
