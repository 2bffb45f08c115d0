// Sends a room's committed events to each member, each projected for its recipient (never a
// room-wide emit of raw answers), on this instance and, in one message, on the others.
import {
	liveNamespace,
	isClustered,
	memberRoom,
	userRoom,
	type Delivery,
	type LiveNamespace
} from '../realtime/server';
import type { HeldRevealNotice } from '$lib/realtime/events';
import { partnerIds, type RoomContext } from './context';
import * as roomEvents from './events';
import type { StoredEvent } from './events';

export const DELIVER = 'room:deliver' as const;

/** Used by socket handlers and by pages that write to a room (homework saves, the couple page). */
export function broadcast(context: RoomContext, events: StoredEvent[]) {
	const live = liveNamespace();
	if (!live || events.length === 0) return;
	const recipients = roomEvents.recipients(context);
	const none = new Set<string>();
	const deliveries: Delivery[] = [];
	for (const event of events) {
		for (const viewer of recipients) {
			const projected = roomEvents.project(context, viewer, event, none);
			if (projected)
				deliveries.push({
					room: memberRoom(context.assignment.id, viewer.userId),
					event: projected
				});
		}
	}
	deliver(live, deliveries);
	// Other instances get the already-projected events of every write in this turn of the event loop
	// in one message (one NOTIFY), not one per write or per recipient.
	if (isClustered(live)) forOtherInstances(live, deliveries);
}

let outgoing: Delivery[] = [];

function forOtherInstances(live: LiveNamespace, deliveries: Delivery[]) {
	if (outgoing.length === 0) setImmediate(() => void flush(live));
	outgoing.push(...deliveries);
}

async function flush(live: LiveNamespace) {
	const sending = outgoing;
	outgoing = [];
	// The adapter counts the instances it hears heartbeats from; with none but this one a NOTIFY would
	// reach no one. An instance that starts announces itself as its adapter opens, before its sockets
	// join; a member who still misses an event sees the gap in seq at the next one and re-joins.
	if (sending.length > 0 && (await live.adapter.serverCount()) > 1)
		live.serverSideEmit(DELIVER, sending);
}

/**
 * To the sockets of each member's room on this instance, one emit per socket: a room broadcast would
 * build its operator, its sets of rooms and of sockets, for each event to what is one socket or two
 * (in a 300-room run's allocation profile, 171 MB under the broadcast before, 135 MB after).
 */
export function deliver(live: LiveNamespace, deliveries: Delivery[]) {
	const rooms = live.adapter.rooms;
	for (const { room, event } of deliveries) {
		const members = rooms.get(room);
		if (!members) continue;
		for (const id of members) live.sockets.get(id)?.emit('room:event', event);
	}
}

/**
 * Tells every Trellis page the therapist has open that a safety flag was raised (only its id: the page
 * links to the flag). Says whether any page was open to hear it, which is what the partner is told.
 */
export async function alertTherapist(therapistId: string, flagId: string): Promise<boolean> {
	const live = liveNamespace();
	if (!live) return false;
	const room = userRoom(therapistId);
	live.to(room).emit('safety:alert', { flagId });
	return (await live.in(room).fetchSockets()).length > 0;
}

/**
 * Tells each partner in a live room (their own member room, on every instance) that the therapist
 * revealed a section of homework held for the session. Only titles and ids: the answers themselves
 * are read on the homework page, after its short preparation screen.
 */
export function tellHeldRevealed(room: RoomContext, homework: RoomContext, sectionId: string) {
	const live = liveNamespace();
	const section = homework.definition.sections.find((s) => s.id === sectionId);
	if (!live || !section || homework.coupleId !== room.coupleId) return;
	const notice: HeldRevealNotice = {
		assignmentId: homework.assignment.id,
		exerciseTitle: homework.definition.title,
		sectionId: section.id,
		sectionTitle: section.title
	};
	for (const partnerId of partnerIds(room))
		live.to(memberRoom(room.assignment.id, partnerId)).emit('held:revealed', notice);
}
