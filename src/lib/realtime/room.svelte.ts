// The client side of a live room: joins over /live, applies room events in seq order, and keeps a
// queue of writes that is re-sent with the same opIds after a reconnect, so nothing typed is lost.
import type { Socket } from 'socket.io-client';
import type {
	Ack,
	ClientToServerEvents,
	CrisisNotice,
	HeldRevealNotice,
	HeldSection,
	JointStatus,
	RoomEvent,
	RoomView,
	SafetyAlerted,
	ServerToClientEvents
} from './events';
import type { ClientEventName } from './schemas';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** The events that change a room: each carries an opId and is queued until acked. */
type WriteEvent = Exclude<ClientEventName, 'presence:list' | 'room:join' | 'room:leave'>;

/** The socket as the write queue uses it: any write event with its payload (all carry an opId). */
type WriteSocket = Socket<
	ServerToClientEvents,
	Record<WriteEvent, (payload: PendingWrite['payload'], ack: (result: Ack) => void) => void>
>;

export interface PendingWrite {
	opId: string;
	event: WriteEvent;
	payload: Record<string, unknown> & { opId: string };
}

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const ACK_TIMEOUT_MS = 8000;
const SIGNED_OUT =
	'You are signed out, so nothing more can be saved here. Sign in again to carry on: what you have not sent yet is still on this page.';

export function newOpId(): string {
	return crypto.randomUUID().replaceAll('-', '');
}

export class LiveRoom {
	status = $state<ConnectionState>('connecting');
	view = $state<RoomView | null>(null);
	/** User ids with a socket in this room now. */
	online = $state<string[]>([]);
	queue = $state<PendingWrite[]>([]);
	/** The last refusal from the server, in words a person can act on. */
	problem = $state<string | null>(null);
	/** Who last wrote each joint answer and what it replaced, so an overwritten version stays visible. */
	jointChanges = $state<Record<string, { actorId: string | null; previous: unknown }>>({});
	/** The answer of this person that tripped a safety item (crisis resources are shown), until dismissed. */
	crisis = $state<CrisisNotice | null>(null);
	/** The therapist's: the couple's homework held for the session, as of the last reveal's ack. */
	held = $state<HeldSection[] | null>(null);
	/** The therapist's: the held sections she revealed from this room, newest last. */
	heldRevealed = $state<HeldRevealNotice[]>([]);
	/** A partner's: held homework the therapist revealed while they were in the room, newest last. */
	heldNotices = $state<HeldRevealNotice[]>([]);
	/** Every event applied, in order (tests and the activity line read it). */
	applied: number[] = [];

	#socket: LiveSocket;
	#assignmentId: string;
	#flushing = false;
	#joined = false;
	#isJoining = false;
	#heldWhileJoining: RoomEvent[] = [];

	constructor(socket: LiveSocket, assignmentId: string, initial: RoomView | null = null) {
		this.#socket = socket;
		this.#assignmentId = assignmentId;
		this.view = initial;
		socket.on('connect', () => void this.#join());
		socket.on('disconnect', (reason) => {
			this.#joined = false;
			this.status =
				typeof navigator !== 'undefined' && navigator.onLine === false ? 'offline' : 'reconnecting';
			// The server closed the socket: it restarted, or the session ended (the handshake says which).
			if (reason === 'io server disconnect') socket.connect();
		});
		socket.on('connect_error', (error) => {
			if (error.message.startsWith('unauthenticated')) {
				this.status = 'offline';
				this.problem = SIGNED_OUT;
				return;
			}
			this.status = this.view ? 'reconnecting' : 'connecting';
		});
		socket.on('room:event', (event) => this.#receive(event));
		socket.on('held:revealed', (notice) => {
			const others = this.heldNotices.filter(
				(n) => !(n.assignmentId === notice.assignmentId && n.sectionId === notice.sectionId)
			);
			this.heldNotices = [...others, notice];
		});
		socket.on('presence', (p) => {
			if (p.assignmentId !== this.#assignmentId) return;
			const others = this.online.filter((id) => id !== p.userId);
			this.online = p.online ? [...others, p.userId] : others;
		});
		if (socket.connected) void this.#join();
		// A browser that says it is offline may keep a dead WebSocket open for a while: stop sending at
		// once (writes wait in the queue) and connect again when it is back.
		if (typeof window !== 'undefined') {
			window.addEventListener('offline', this.#wentOffline);
			window.addEventListener('online', this.#cameBack);
		}
	}

	#wentOffline = () => {
		this.#socket.disconnect();
		this.status = 'offline';
	};

	#cameBack = () => {
		if (!this.#socket.connected) this.#socket.connect();
	};

	get seq() {
		return this.view?.seq ?? 0;
	}

	async #join() {
		this.#isJoining = true;
		const sinceSeq = this.view ? this.view.seq : undefined;
		const result = await this.#socket
			.timeout(ACK_TIMEOUT_MS)
			.emitWithAck('room:join', { assignmentId: this.#assignmentId, sinceSeq })
			.catch(() => null);
		if (!result) {
			this.#isJoining = false;
			return; // the connect handler will try again on the next connection
		}
		if (!result.ok) {
			this.#isJoining = false;
			this.problem = result.error.message;
			this.status = 'offline';
			return;
		}
		// The joined view is the server's truth; events newer than it (in the ack, or that arrived while
		// joining) are applied on top in seq order; writes still queued are laid back over all of it.
		this.view = result.view;
		const newer = [...result.events, ...this.#heldWhileJoining].sort((a, b) => a.seq - b.seq);
		this.#heldWhileJoining = [];
		this.#isJoining = false;
		for (const event of newer) this.#receive(event);
		this.online = result.online;
		for (const write of this.queue) this.#optimistic(write);
		this.#joined = true;
		this.status = 'live';
		void this.#flush();
	}

	#receive(event: RoomEvent) {
		if (this.#isJoining) {
			this.#heldWhileJoining.push(event);
			return;
		}
		const view = this.view;
		if (!view || event.seq <= view.seq) return; // already applied (a replay or our own echo)
		if (event.seq > view.seq + 1) {
			// A gap: something was missed; catch up from the log.
			void this.#join();
			return;
		}
		this.#apply(event);
	}

	#apply(event: RoomEvent) {
		const view = this.view!;
		view.seq = event.seq;
		this.applied.push(event.seq);
		const actor = event.actorId ?? '';
		const progress = view.progress.find((p) => p.userId === actor);
		switch (event.type) {
			case 'answer-saved':
				(view.answers[actor] ??= {})[event.itemId as string] = event.value;
				if (progress && !progress.answered.includes(event.itemId as string))
					progress.answered.push(event.itemId as string);
				break;
			case 'partner-answered':
				if (progress && !progress.answered.includes(event.itemId as string))
					progress.answered.push(event.itemId as string);
				break;
			case 'section-locked':
				if (progress && !progress.lockedSections.includes(event.sectionId as string)) {
					progress.lockedSections.push(event.sectionId as string);
				}
				break;
			case 'section-revealed': {
				const answers = event.answers as Record<string, Record<string, unknown>>;
				for (const [userId, values] of Object.entries(answers))
					Object.assign((view.answers[userId] ??= {}), values);
				// Joint items both answered alike, pre-filled as proposals.
				const joint = (event.joint ?? {}) as Record<
					string,
					{ value: unknown; status: JointStatus }
				>;
				for (const [itemId, { value, status }] of Object.entries(joint)) {
					view.joint[itemId] = value;
					view.jointStatus[itemId] = status;
				}
				if (!view.revealedSections.includes(event.sectionId as string))
					view.revealedSections.push(event.sectionId as string);
				break;
			}
			case 'section-reopened':
				view.revealedSections = view.revealedSections.filter((s) => s !== event.sectionId);
				for (const p of view.progress)
					p.lockedSections = p.lockedSections.filter((s) => s !== event.sectionId);
				break;
			case 'section-opened':
				view.assignment.currentSectionId = event.sectionId as string;
				break;
			case 'joint-saved':
				// Every change is a new proposal by its author, agreed only once the other confirms it.
				view.joint[event.itemId as string] = event.value;
				view.jointStatus[event.itemId as string] = {
					proposedBy: event.actorId,
					revision: event.revision as number,
					confirmedBy: null,
					isAgreed: false
				};
				this.jointChanges[event.itemId as string] = {
					actorId: event.actorId,
					previous: event.previous
				};
				break;
			case 'joint-confirmed': {
				const status = view.jointStatus[event.itemId as string];
				if (status && status.revision === event.revision) {
					status.confirmedBy = event.actorId;
					status.isAgreed = true;
				}
				break;
			}
			case 'room-opened':
				view.assignment.openedAt = event.openedAt as string;
				break;
			case 'room-closed':
				view.assignment.status = 'closed';
				break;
		}
	}

	/** Shows a write at once, before the server has it. */
	#optimistic(write: PendingWrite) {
		const view = this.view;
		if (!view) return;
		const me = view.me.userId;
		if (write.event === 'answer:save') {
			(view.answers[me] ??= {})[write.payload.itemId as string] = write.payload.value;
		}
	}

	/** Queues a write and sends it when the room is live; it is re-sent after a reconnect until acked. */
	send(event: WriteEvent, payload: Record<string, unknown>) {
		const write: PendingWrite = { opId: newOpId(), event, payload: { ...payload, opId: '' } };
		write.payload.opId = write.opId;
		this.queue.push(write);
		this.#optimistic(write);
		void this.#flush();
		return write.opId;
	}

	saveAnswer(itemId: string, value: unknown) {
		// A newer answer to the same item replaces one still waiting to be sent.
		this.queue = this.queue.filter(
			(w) => !(w.event === 'answer:save' && w.payload.itemId === itemId && w !== this.queue[0])
		);
		return this.send('answer:save', { itemId, value });
	}

	/** Confirms the joint proposal standing now for this item (the revision this screen shows). */
	confirmJoint(itemId: string) {
		const status = this.view?.jointStatus[itemId];
		if (!status) return null;
		return this.send('joint:confirm', { itemId, revision: status.revision });
	}

	/** The reveal of a held section was acked: the list is the server's now, and says what she did. */
	#heldRevealedBy(write: PendingWrite, result: Ack<object>) {
		if (!result.ok) return;
		const { assignmentId, sectionId } = write.payload;
		const section = this.held?.find(
			(h) => h.assignmentId === assignmentId && h.sectionId === sectionId
		);
		if (section) {
			const { exerciseTitle, sectionTitle } = section;
			this.heldRevealed = [
				...this.heldRevealed,
				{
					assignmentId: section.assignmentId,
					sectionId: section.sectionId,
					exerciseTitle,
					sectionTitle
				}
			];
		}
		this.held = (result as { held?: HeldSection[] }).held ?? this.held;
	}

	async #flush() {
		if (this.#flushing || !this.#joined) return;
		this.#flushing = true;
		try {
			while (this.queue.length > 0 && this.#joined && this.#socket.connected) {
				const write = this.queue[0];
				let result: Ack<object> | null;
				try {
					result = await (this.#socket as unknown as WriteSocket)
						.timeout(ACK_TIMEOUT_MS)
						.emitWithAck(write.event, write.payload);
				} catch {
					result = null; // no ack in time: keep it queued and try again on reconnect
				}
				if (!result) break;
				if (!result.ok && result.error.code === 'unauthenticated') {
					// Signed out: the write stays queued with what was typed; the server closes the socket.
					this.problem = SIGNED_OUT;
					break;
				}
				if (
					!result.ok &&
					(result.error.code === 'unavailable' || result.error.code === 'rate-limited')
				) {
					await new Promise((resolve) => setTimeout(resolve, 1000));
					continue;
				}
				this.queue = this.queue.filter((w) => w.opId !== write.opId);
				if (result.ok) {
					const saved = result as { safety?: boolean; alerted?: SafetyAlerted };
					if (write.event === 'held:reveal') this.#heldRevealedBy(write, result);
					if (write.event === 'answer:save' && saved.safety)
						this.crisis = {
							itemId: write.payload.itemId as string,
							alerted: saved.alerted ?? 'next-sign-in'
						};
					this.problem = null;
				} else {
					// Someone else confirmed the same proposal first: nothing to tell.
					this.problem = result.error.code === 'already-agreed' ? null : result.error.message;
					void this.#join(); // resynchronise what the refused write had shown
				}
			}
		} finally {
			this.#flushing = false;
		}
	}

	leave() {
		if (typeof window !== 'undefined') {
			window.removeEventListener('offline', this.#wentOffline);
			window.removeEventListener('online', this.#cameBack);
		}
		this.#socket.emit('room:leave', {}, () => undefined);
	}
}
