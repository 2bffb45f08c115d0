import { redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import * as audit from '$lib/server/audit';
import { deleteSessionCookie, invalidateSession } from '$lib/server/auth/session';
import { disconnectSessions } from '$lib/server/realtime/server';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, cookies, url, getClientAddress }) => {
	if (locals.session && locals.user) {
		await invalidateSession(db(), locals.session.id);
		disconnectSessions([locals.session.id]);
		await audit.record(db(), {
			actorId: locals.user.id,
			action: 'auth.sign-out',
			ip: getClientAddress()
		});
	}
	deleteSessionCookie(cookies, url.protocol === 'https:');
	redirect(303, '/login');
};
