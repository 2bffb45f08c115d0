// Words for where a partner stands on an assignment, shared by therapist and partner pages.
export type PartnerStatus = 'not-started' | 'in-progress' | 'locked';

export const STATUS_WORDS: Record<PartnerStatus, string> = {
	'not-started': 'Not started',
	'in-progress': 'In progress',
	locked: 'Locked'
};

/** Where a live room stands: not opened by the therapist yet, running, or ended (as the couple page says). */
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
