// The /live Socket.IO protocol, typed once for the server and every client (see docs/realtime.md).
import type * as v from 'valibot';
import type { ExerciseDefinition } from '$lib/exercises/definition';
import type { CLIENT_EVENTS, ClientEventName } from './schemas';

export type ErrorCode =
	| 'unauthenticated'
	| 'bad-request'
	| 'payload-too-large'
	| 'rate-limited'
	| 'not-found'
	| 'forbidden'
	| 'not-joined'
	| 'section-locked'
	| 'section-not-current'
	| 'room-closed'
	| 'invalid-answer'
	| 'nothing-answered'
	| 'couple-archived'
	| 'no-proposal'
	| 'proposal-changed'
	| 'own-proposal'
	| 'already-agreed'
	| 'unavailable'
	| 'unknown-event';

/** What a partner reads when their couple is archived: every way of answering gets this refusal. */
export const COUPLE_ARCHIVED_MESSAGE =
	'Your therapist has archived this couple’s work: you can read it, but nothing can be changed now.';

export type AckError = { code: ErrorCode; message: string };

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AckError };

/** One entry of a room's log, as projected for the member receiving it. */
export interface RoomEvent {
	seq: number;
	type: string;
	actorId: string | null;
	[key: string]: unknown;
}

export interface PresencePayload {
	userId: string;
	coupleId: string;
	online: boolean;
	/** Set when the presence is about a live room rather than the couple as a whole. */
	assignmentId?: string;
}

export interface MemberProgress {
	userId: string;
	name: string;
	/** Items answered, by id (values are in `answers` only when the viewer may see them). */
	answered: string[];
	lockedSections: string[];
}

/** What one member of an assignment may see right now; a room:join starts from it. */
export interface RoomView {
	assignment: {
		id: string;
		mode: 'homework' | 'live';
		status: 'open' | 'closed';
		dueAt: string | null;
		note: string | null;
		currentSectionId: string | null;
		/** A live room: when the therapist first joined it (ISO); null until then, "not started". */
		openedAt: string | null;
		/** The couple is archived: its partners read, and every write of theirs is refused. */
		isArchived: boolean;
		/**
		 * When simultaneous sections are revealed: 'on_lock' as soon as both partners lock, 'session'
		 * (homework only) when the therapist reveals them, in the session or from her page.
		 */
		revealPolicy: 'on_lock' | 'session';
	};
	coupleLabel: string;
	/** The couple's therapist: listed in "who is in the room" beside the partners. */
	therapist: { userId: string; name: string };
	definition: ExerciseDefinition;
	me: { userId: string; kind: 'therapist' | 'partner'; role: 'injured' | 'involved' | 'none' };
	members: { userId: string | null; name: string; slot: 1 | 2 }[];
	/** userId → itemId → value, only the values this viewer may see. */
	answers: Record<string, Record<string, unknown>>;
	progress: MemberProgress[];
	revealedSections: string[];
	/** itemId → the joint answer's current value: a proposal, or the agreement once confirmed. */
	joint: Record<string, unknown>;
	/** itemId → who proposed the joint value and whether it is agreed (see JointStatus). */
	jointStatus: Record<string, JointStatus>;
	seq: number;
}

/**
 * Where a joint answer stands. A partner proposes (`proposedBy`; null when it was pre-filled because
 * both gave the same answer); the other partner or the therapist confirms that `revision`, and only
 * then is it agreed. Any change makes it a new proposal with the next revision.
 */
export interface JointStatus {
	proposedBy: string | null;
	revision: number;
	confirmedBy: string | null;
	isAgreed: boolean;
}

export interface ServerToClientEvents {
	/** Sent once on connection: who the server takes this socket to be. */
	welcome: (payload: {
		userId: string;
		role: 'therapist' | 'partner';
		coupleIds: string[];
	}) => void;
	presence: (payload: PresencePayload) => void;
	'room:event': (event: RoomEvent) => void;
	/** To the partners in a live room: their therapist revealed a section of homework held for it. */
	'held:revealed': (notice: HeldRevealNotice) => void;
	/** To the therapist's own sockets only: a partner's answer raised this safety flag. */
	'safety:alert': (payload: { flagId: string }) => void;
}

/**
 * A section of the couple's homework held for the session, as the therapist's live room lists it
 * (only while it is not revealed yet): who has locked it and whether she may reveal it now.
 */
export interface HeldSection {
	assignmentId: string;
	exerciseTitle: string;
	sectionId: string;
	sectionTitle: string;
	/** The partners who have locked it, and those it still waits for (names). */
	lockedBy: string[];
	waitingFor: string[];
	/** Both partners have locked it: "Reveal now". */
	mayReveal: boolean;
}

/** What a partner in the live room is told when the therapist reveals held homework there. */
export interface HeldRevealNotice {
	assignmentId: string;
	exerciseTitle: string;
	sectionId: string;
	sectionTitle: string;
}

/** How the therapist learned of a safety answer (the `answer:save` ack), which the partner is told. */
export type SafetyAlerted = 'email' | 'live' | 'next-sign-in';

/** A safety answer's crisis panel: shown at the item that raised it until the partner dismisses it. */
export interface CrisisNotice {
	itemId: string;
	alerted: SafetyAlerted;
}

type WithAck<P, R extends object = object> = (payload: P, ack: (result: Ack<R>) => void) => void;

/** What each client event's ack carries when it succeeds. */
interface AckResults {
	'presence:list': { online: string[] };
	'room:join': { view: RoomView; seq: number; events: RoomEvent[]; online: string[] };
	'answer:save': { seq: number; safety: boolean; alerted?: SafetyAlerted };
	'answer:lock': { seq: number; revealed: boolean };
	'joint:save': { seq: number };
	'joint:confirm': { seq: number };
	'room:advance': { seq: number };
	'room:reveal': { seq: number };
	'room:reopen': { seq: number };
	'room:end': { seq: number };
	'held:reveal': { held: HeldSection[] };
	'room:leave': object;
}

/** The client events, from the one list in schemas.ts: each payload as its schema takes it. */
export type ClientToServerEvents = {
	[E in ClientEventName]: WithAck<v.InferInput<(typeof CLIENT_EVENTS)[E]>, AckResults[E]>;
};

export interface SocketData {
	userId: string;
	sessionId: string;
	role: 'therapist' | 'partner';
	coupleIds: string[];
	/** The live room this socket has joined, if any. */
	assignmentId: string | null;
}

export const LIVE_NAMESPACE = '/live';

/** The largest payload one message may carry, measured as JSON. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;
/** Messages a socket may send per second before it is told to slow down. */
export const MAX_MESSAGES_PER_SECOND = 20;
