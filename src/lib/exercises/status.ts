// Words for where a partner stands on an assignment, shared by therapist and partner pages.
export type PartnerStatus = 'not-started' | 'in-progress' | 'locked';

export const STATUS_WORDS: Record<PartnerStatus, string> = {
	'not-started': 'Not started',
	'in-progress': 'In progress',
	locked: 'Locked'
};

/**
 * Where an assignment as a whole stands, one word per state on every page: open (someone still has
 * to finish), overdue (open past its due date), finished (everyone finished, or the therapist closed
 * it) and missed (a scheduled occurrence that closed before it was done).
 */
export type AssignmentState = 'open' | 'overdue' | 'finished' | 'missed';

export const ASSIGNMENT_WORDS: Record<AssignmentState, string> = {
	open: 'Open',
	overdue: 'Overdue',
	finished: 'Finished',
	missed: 'Missed'
};

export function assignmentState(a: {
	status: 'open' | 'closed';
	isOverdue: boolean;
	missed: boolean;
	partners: { status: PartnerStatus }[];
}): AssignmentState {
	if (a.missed) return 'missed';
	if (a.status === 'closed') return 'finished';
	if (a.partners.length > 0 && a.partners.every((p) => p.status === 'locked')) return 'finished';
	return a.isOverdue ? 'overdue' : 'open';
}

/** Where a live room stands: not opened by the therapist yet, running, or ended (a session ends; the assignment it belongs to is then finished). */
export type RoomState = 'waiting' | 'live' | 'ended';

export const ROOM_STATE_WORDS: Record<RoomState, string> = {
	waiting: 'Starts when your therapist opens the room',
	live: 'Live now',
	ended: 'Ended'
};

export function roomState(room: { status: 'open' | 'closed'; openedAt: unknown }): RoomState {
	if (room.status === 'closed') return 'ended';
	return room.openedAt ? 'live' : 'waiting';
}
