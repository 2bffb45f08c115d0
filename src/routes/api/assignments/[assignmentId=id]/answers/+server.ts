// Homework over plain HTTP: save one answer or lock a section (the same domain calls as the live room),
// and read back what this person may see now (after a reveal, without reloading the page).
import { error, json } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import * as roomContext from '$lib/server/rooms/context';
import * as answers from '$lib/server/rooms/answers';
import { broadcast } from '$lib/server/rooms/publish';
import { takeFor } from '$lib/server/realtime/rate';
import { MAX_MESSAGES_PER_SECOND } from '$lib/realtime/events';
import { viewFor } from '$lib/server/rooms/view';
import { HomeworkWrite } from '$lib/realtime/schemas';
import type { RequestHandler } from './$types';

const STATUS: Record<string, number> = {
	'bad-request': 400,
	'invalid-answer': 400,
	forbidden: 403,
	'not-found': 404,
	'section-locked': 409,
	'section-not-current': 409,
	'room-closed': 409,
	'couple-archived': 409,
	'nothing-answered': 409
};

export const POST = (async ({ locals, params, request }) => {
	const { user } = locals;
	if (!user) error(401, 'Sign in first.');
	// The rate comes first, as in the socket handlers: an over-eager client costs no query.
	if (!takeFor(`homework:${user.id}`, MAX_MESSAGES_PER_SECOND)) {
		return json(
			{
				ok: false,
				error: { code: 'rate-limited', message: 'Slow down a little; try again in a second.' }
			},
			{ status: 429, headers: { 'retry-after': '1' } }
		);
	}
	const context = await roomContext.loadContext(db(), user, params.assignmentId);
	if (!context) error(404, 'There is no such assignment, or it is not yours.');
	if (!request.headers.get('content-type')?.startsWith('application/json')) {
		return json(
			{ ok: false, error: { code: 'bad-request', message: 'Send JSON.' } },
			{ status: 415 }
		);
	}
	const body = await request.json().catch(() => null);
	const parsed = v.safeParse(HomeworkWrite, body);
	if (!parsed.success) {
		return json(
			{ ok: false, error: { code: 'bad-request', message: parsed.issues[0].message } },
			{ status: 400 }
		);
	}
	const input = parsed.output;
	const result =
		input.action === 'answer'
			? await answers.saveAnswer(db(), context, input)
			: await answers.lockSection(db(), context, input);
	if (!result.ok) return json(result, { status: STATUS[result.error.code] ?? 400 });
	broadcast(context, result.events);
	// The events went to the live room; the writer gets the ack.
	return json({ ...result, events: undefined });
}) satisfies RequestHandler;

export const GET = (async ({ locals, params }) => {
	const { user } = locals;
	if (!user) error(401, 'Sign in first.');
	const context = await roomContext.loadContext(db(), user, params.assignmentId);
	if (!context) error(404, 'There is no such assignment, or it is not yours.');
	return json(await viewFor(db(), context));
}) satisfies RequestHandler;
