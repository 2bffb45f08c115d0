// Homework over plain HTTP: save one answer or lock a section (the same domain calls as the live room),
// and read back what this person may see now (after a reveal, without reloading the page).
import { error, json } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import * as assignments from '$lib/server/assignments';
import * as responses from '$lib/server/responses';
import { broadcast } from '$lib/server/realtime';
import { takeFor } from '$lib/server/message-rate';
import { MAX_MESSAGES_PER_SECOND } from '$lib/realtime/events';
import { viewFor } from '$lib/server/room-view';
import type { RequestHandler } from './$types';

const opId = v.pipe(
	v.string('opId is required.'),
	v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'opId must be 8 to 64 letters, digits, "-" or "_".')
);

const Write = v.variant('action', [
	v.object({
		action: v.literal('answer'),
		opId,
		itemId: v.pipe(v.string('itemId is required.'), v.maxLength(200)),
		value: v.unknown()
	}),
	v.object({
		action: v.literal('lock'),
		opId,
		sectionId: v.pipe(v.string('sectionId is required.'), v.maxLength(200))
	})
]);

const STATUS: Record<string, number> = {
	'bad-request': 400,
	'invalid-answer': 400,
	forbidden: 403,
	'not-found': 404,
	'section-locked': 409,
	'section-not-current': 409,
	'room-closed': 409,
	'couple-archived': 409
};

export const POST = (async ({ locals, params, request }) => {
	const { user } = locals;
	if (!user) error(401, 'Sign in first.');
	const context = await assignments.loadContext(db(), user, params.assignmentId);
	if (!context) error(404, 'There is no such assignment, or it is not yours.');
	if (!takeFor(`homework:${user.id}`, MAX_MESSAGES_PER_SECOND)) {
		return json(
			{
				ok: false,
				error: { code: 'rate-limited', message: 'Slow down a little; try again in a second.' }
			},
			{ status: 429, headers: { 'retry-after': '1' } }
		);
	}
	if (!request.headers.get('content-type')?.startsWith('application/json')) {
		return json(
			{ ok: false, error: { code: 'bad-request', message: 'Send JSON.' } },
			{ status: 415 }
		);
	}
	const body = await request.json().catch(() => null);
	const parsed = v.safeParse(Write, body);
	if (!parsed.success) {
		return json(
			{ ok: false, error: { code: 'bad-request', message: parsed.issues[0].message } },
			{ status: 400 }
		);
	}
	const input = parsed.output;
	const result =
		input.action === 'answer'
			? await responses.saveAnswer(db(), context, input)
			: await responses.lockSection(db(), context, input);
	if (!result.ok) return json(result, { status: STATUS[result.error.code] ?? 400 });
	broadcast(context, result.events);
	// The events went to the live room; the writer gets the ack.
	return json({ ...result, events: undefined });
}) satisfies RequestHandler;

export const GET = (async ({ locals, params }) => {
	const { user } = locals;
	if (!user) error(401, 'Sign in first.');
	const context = await assignments.loadContext(db(), user, params.assignmentId);
	if (!context) error(404, 'There is no such assignment, or it is not yours.');
	return json(await viewFor(db(), context));
}) satisfies RequestHandler;
