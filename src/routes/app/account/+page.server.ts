import { redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import * as audit from '$lib/server/audit';
import { requireTherapist } from '$lib/server/auth/guards';
import {
	deleteSessionCookie,
	invalidateOtherSessions,
	invalidateUserSessions,
	listUserSessions
} from '$lib/server/auth/session';
import { hasRecoveryCode as hasRecoveryCodeFor } from '$lib/server/auth/two-factor';
import { disconnectSessions } from '$lib/server/realtime/server';
import type { Actions, PageServerLoad } from './$types';

export const load = (async ({ locals }) => {
	const { user, session } = requireTherapist(locals);
	const [sessions, hasRecoveryCode] = await Promise.all([
		listUserSessions(db(), user.id),
		hasRecoveryCodeFor(db(), user.id)
	]);
	return {
		account: {
			name: user.display_name,
			email: user.email,
			hasRecoveryCode
		},
		sessions: sessions.map((s) => ({
			current: s.id === session.id,
			createdAt: s.created_at.toISOString(),
			lastSeenAt: s.last_seen_at.toISOString(),
			expiresAt: s.expires_at.toISOString(),
			device: describeDevice(s.user_agent)
		}))
	};
}) satisfies PageServerLoad;

/** A short, human name for a browser from its user agent (only ever shown to its own account). */
function describeDevice(userAgent: string | null): string {
	if (!userAgent) return 'Unknown device';
	const browser = /Edg\//.test(userAgent)
		? 'Edge'
		: /Firefox\//.test(userAgent)
			? 'Firefox'
			: /Chrome\//.test(userAgent)
				? 'Chrome'
				: /Safari\//.test(userAgent)
					? 'Safari'
					: null;
	const system = /iPhone|iPad/.test(userAgent)
		? 'iOS'
		: /Android/.test(userAgent)
			? 'Android'
			: /Mac OS X/.test(userAgent)
				? 'macOS'
				: /Windows/.test(userAgent)
					? 'Windows'
					: /Linux/.test(userAgent)
						? 'Linux'
						: null;
	if (browser && system) return `${browser} on ${system}`;
	return browser ?? system ?? userAgent.slice(0, 60);
}

export const actions = {
	/** Ends every session of this account, this one included, and closes their live connections. */
	signOutEverywhere: async ({ locals, cookies, url, getClientAddress }) => {
		const { user } = requireTherapist(locals);
		const ended = await invalidateUserSessions(db(), user.id);
		disconnectSessions(ended);
		await audit.record(db(), {
			actorId: user.id,
			action: 'auth.sign-out-everywhere',
			ip: getClientAddress(),
			detail: { sessions: ended.length }
		});
		deleteSessionCookie(cookies, url.protocol === 'https:');
		redirect(303, '/login?reason=signed-out-everywhere');
	},
	/** Ends every session but this one. */
	signOutOthers: async ({ locals, getClientAddress }) => {
		const { user, session } = requireTherapist(locals);
		const ended = await invalidateOtherSessions(db(), user.id, session.id);
		disconnectSessions(ended);
		await audit.record(db(), {
			actorId: user.id,
			action: 'auth.sign-out-others',
			ip: getClientAddress(),
			detail: { sessions: ended.length }
		});
		return { ended: ended.length };
	}
} satisfies Actions;
