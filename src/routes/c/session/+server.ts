// Shared-device partner sessions: the tab reports when it goes away (pagehide) and when it is back.
// A closed tab never comes back, so its session ends after a short grace; a reload resumes it.
import { json } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { extendSession, shortenSession } from '$lib/server/auth/session';
import type { RequestHandler } from './$types';

const TAB_GRACE_MS = 30_000;

const Body = v.object({ intent: v.picklist(['pagehide', 'resume']) });

export const POST: RequestHandler = async ({ locals, request }) => {
	const { user, session } = locals;
	if (!user || !session) return json({ ok: false, signedOut: true }, { status: 401 });
	const body = v.safeParse(Body, await request.json().catch(() => null));
	if (!body.success) {
		return json({ ok: false, error: 'Send {"intent": "pagehide" | "resume"}.' }, { status: 400 });
	}
	// Only shared-device sessions end with their tab; anyone else gets a harmless no-op.
	if (!session.shared_device) return json({ ok: true });
	if (body.output.intent === 'pagehide') await shortenSession(db(), session.id, TAB_GRACE_MS);
	else await extendSession(db(), session, user.role);
	return json({ ok: true });
};
