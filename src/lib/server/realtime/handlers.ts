// The /live messages of one socket. Every handler is the same ladder: rate → size → parse (one
// schema per event, schemas.ts) → authorize (the joined room's context) → a domain call → ack →
// broadcast per recipient. No rule lives here; the room's rules are in src/lib/server/rooms/.
import * as v from 'valibot';
import type { Ack, AckError } from '$lib/realtime/events';
import { MAX_MESSAGES_PER_SECOND, MAX_PAYLOAD_BYTES } from '$lib/realtime/events';
import {
	CLIENT_EVENTS,
	isClientEvent,
	type ClientEventName,
	type ClientPayload
} from '$lib/realtime/schemas';
import { db } from '../db';
import * as answers from '../rooms/answers';
import * as control from '../rooms/control';
import * as joint from '../rooms/joint';
import { loadContext, type RoomContext } from '../rooms/context';
import * as roomEvents from '../rooms/events';
import type { WriteResult } from '../rooms/outcome';
import { broadcast, tellHeldRevealed } from '../rooms/publish';
import { viewFor } from '../rooms/view';
import { recordStage, timingStages } from '../stage-timings';
import { handshakeSessions } from './handshake';
import { tokenBucket } from './rate';
import {
	assignmentRoom,
	coupleRoom,
	memberRoom,
	onlineUserIds,
	sessionRoom,
	userRoom,
	type LiveNamespace,
	type LiveSocket
} from './server';
import type { SessionWatch } from './session-watch';

const fail = (code: AckError['code'], message: string) => ({
	ok: false as const,
	error: { code, message }
});

/** Events that name a couple or room by id: an id that is not one names nothing, so not-found. */
const NAMES_BY_ID = new Set<ClientEventName>(['presence:list', 'room:join']);

function payloadSize(payload: unknown): number {
	try {
		return Buffer.byteLength(JSON.stringify(payload) ?? '');
	} catch {
		return Infinity;
	}
}

export function onConnection(live: LiveNamespace, sessions: SessionWatch) {
	return (socket: LiveSocket) => {
		const { userId, sessionId, coupleIds } = socket.data;
		const allow = tokenBucket(MAX_MESSAGES_PER_SECOND);
		let context: RoomContext | null = null;
		sessions.add(socket, handshakeSessions.get(socket)!, socket.data.role);
		handshakeSessions.delete(socket);

		void socket.join([sessionRoom(sessionId), userRoom(userId), ...coupleIds.map(coupleRoom)]);
		socket.emit('welcome', { userId, role: socket.data.role, coupleIds });
		for (const coupleId of coupleIds) {
			socket.to(coupleRoom(coupleId)).emit('presence', { userId, coupleId, online: true });
		}

		/** The session ended: the message is refused and the socket closed (it may not reconnect). */
		function signedOut(reply: (result: Ack<object>) => void) {
			reply(fail('unauthenticated', 'You are signed out. Sign in again to carry on.'));
			socket.disconnect(true);
		}

		/**
		 * Wraps a handler with the checks every message gets: an ack, rate, size, its schema, a live
		 * session, errors. A write also counts as activity on the session.
		 */
		function handle<E extends ClientEventName>(
			event: E,
			run: (payload: ClientPayload<E>) => Promise<Ack<object>>,
			{ write = false } = {}
		) {
			// Registered under the union of event names: each payload is parsed below, not trusted.
			const name: ClientEventName = event;
			socket.on(name, async (payload: unknown, ack: unknown) => {
				if (typeof ack !== 'function') return;
				const reply = ack as (result: Ack<object>) => void;
				if (!allow())
					return reply(
						fail('rate-limited', `Slow down: at most ${MAX_MESSAGES_PER_SECOND} messages a second.`)
					);
				if (payloadSize(payload) > MAX_PAYLOAD_BYTES) {
					return reply(
						fail('payload-too-large', `A message may carry at most ${MAX_PAYLOAD_BYTES / 1024} KB.`)
					);
				}
				if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
					return reply(fail('bad-request', 'The message must be an object.'));
				}
				const parsed = v.safeParse(CLIENT_EVENTS[event], payload);
				if (!parsed.success) {
					const code = NAMES_BY_ID.has(event) ? 'not-found' : 'bad-request';
					return reply(fail(code, parsed.issues[0].message));
				}
				try {
					const allowed = sessions.allows(sessionId);
					if (allowed !== true && !(await allowed)) return signedOut(reply);
					if (write) sessions.noteActivity(sessionId);
					reply(await run(parsed.output as ClientPayload<E>));
				} catch (error) {
					console.error(
						`[realtime] ${event} failed: ${error instanceof Error ? error.message : 'unknown'}`
					);
					reply(fail('unavailable', 'That could not be saved just now; it will be retried.'));
				}
			});
		}

		socket.onAny((event: string, ...args: unknown[]) => {
			if (isClientEvent(event)) return;
			const ack = args.at(-1);
			if (typeof ack === 'function')
				ack(fail('unknown-event', `There is no "${String(event).slice(0, 40)}" event.`));
		});

		handle('presence:list', async ({ coupleId }) => {
			if (!socket.data.coupleIds.includes(coupleId)) return fail('not-found', 'No such couple.');
			return { ok: true, online: await onlineUserIds(live, coupleRoom(coupleId)) };
		});

		async function leaveRoom() {
			if (!context) return;
			const left = context;
			context = null;
			socket.data.assignmentId = null;
			await socket.leave(assignmentRoom(left.assignment.id));
			await socket.leave(memberRoom(left.assignment.id, userId));
			const stillHere = await onlineUserIds(live, assignmentRoom(left.assignment.id));
			if (!stillHere.includes(userId)) {
				live.to(assignmentRoom(left.assignment.id)).emit('presence', {
					userId,
					coupleId: left.coupleId,
					assignmentId: left.assignment.id,
					online: false
				});
			}
		}

		handle('room:join', async ({ assignmentId, sinceSeq }) => {
			const found = await loadContext(db(), { id: userId, role: socket.data.role }, assignmentId);
			if (!found) return fail('not-found', 'There is no such room, or it is not yours.');
			if (context && context.assignment.id !== found.assignment.id) await leaveRoom();
			context = found;
			socket.data.assignmentId = found.assignment.id;
			broadcast(found, await control.markOpened(db(), found));
			await socket.join([
				assignmentRoom(found.assignment.id),
				memberRoom(found.assignment.id, userId)
			]);
			live
				.to(assignmentRoom(found.assignment.id))
				.except(memberRoom(found.assignment.id, userId))
				.emit('presence', {
					userId,
					coupleId: found.coupleId,
					assignmentId: found.assignment.id,
					online: true
				});
			const view = await viewFor(db(), found);
			const missed =
				sinceSeq === undefined ? [] : await roomEvents.since(db(), found.assignment.id, sinceSeq);
			const none = new Set<string>();
			return {
				ok: true,
				view,
				seq: view.seq,
				events: missed.flatMap((e) => roomEvents.project(found, found.actor, e, none) ?? []),
				online: await onlineUserIds(live, assignmentRoom(found.assignment.id))
			};
		});

		/** Runs a room write for the joined room, then broadcasts its committed events. */
		function roomWrite<E extends ClientEventName>(
			event: E,
			write: (ctx: RoomContext, payload: ClientPayload<E>) => Promise<WriteResult<object>>
		) {
			handle(
				event,
				async (payload) => {
					const joined = context; // the socket may leave or switch rooms while the write runs
					if (!joined) return fail('not-joined', 'Join a room first (room:join).');
					const startedAt = event === 'answer:save' && timingStages() ? performance.now() : 0;
					const result = await write(joined, payload);
					if (!result.ok) return result;
					const { events, replayed: _replayed, ...ack } = result;
					broadcast(joined, events);
					if (startedAt) recordStage('handled', performance.now() - startedAt);
					return ack;
				},
				{ write: true }
			);
		}

		roomWrite('answer:save', (ctx, p) => answers.saveAnswer(db(), ctx, p));
		roomWrite('answer:lock', (ctx, p) => answers.lockSection(db(), ctx, p));
		roomWrite('joint:save', (ctx, p) => joint.proposeJoint(db(), ctx, p));
		roomWrite('joint:confirm', (ctx, p) => joint.confirmJoint(db(), ctx, p));
		roomWrite('room:advance', (ctx, p) => control.advance(db(), ctx, p));
		roomWrite('room:reveal', (ctx, p) =>
			control.overrideSection(db(), ctx, { ...p, action: 'reveal' })
		);
		roomWrite('room:reopen', (ctx, p) =>
			control.overrideSection(db(), ctx, { ...p, action: 'reopen' })
		);
		roomWrite('room:end', (ctx, p) => control.close(db(), ctx, p));

		// A section of the couple's homework held for the session, revealed from the live room she runs:
		// the one reveal rule (control.revealHeld, audited); the homework's own room gets its
		// section-revealed event, and the partners here are told at once.
		handle(
			'held:reveal',
			async ({ opId, assignmentId, sectionId }) => {
				const joined = context;
				if (!joined) return fail('not-joined', 'Join a room first (room:join).');
				if (joined.actor.kind !== 'therapist')
					return fail('forbidden', 'Only the therapist can do that.');
				const homework = await loadContext(
					db(),
					{ id: userId, role: socket.data.role },
					assignmentId
				);
				if (!homework || homework.coupleId !== joined.coupleId)
					return fail('not-found', 'There is no such homework for this couple.');
				const result = await control.revealHeld(db(), homework, { opId, sectionId });
				if (!result.ok) return result;
				broadcast(homework, result.events);
				if (result.events.length > 0) tellHeldRevealed(joined, homework, sectionId);
				return { ok: true, held: await control.heldForSession(db(), joined) };
			},
			{ write: true }
		);

		handle('room:leave', async () => {
			await leaveRoom();
			return { ok: true };
		});

		socket.on('disconnect', async () => {
			sessions.remove(socket, sessionId);
			await leaveRoom().catch(() => undefined);
			for (const coupleId of coupleIds) {
				const online = await onlineUserIds(live, coupleRoom(coupleId)).catch(() => [] as string[]);
				if (!online.includes(userId)) {
					live.to(coupleRoom(coupleId)).emit('presence', { userId, coupleId, online: false });
				}
			}
		});
	};
}
