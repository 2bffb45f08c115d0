// Homework writes from the browser: sent one at a time, kept in memory (never in browser storage) while
// the network is down, and re-sent with the same opId so the server applies each exactly once.
import { newOpId } from '$lib/realtime/room.svelte';
import type { SafetyAlerted } from '$lib/realtime/events';

export type SaveState = 'saving' | 'saved' | 'waiting' | 'refused';

export type Write =
	| { action: 'answer'; opId: string; itemId: string; value: unknown }
	| { action: 'lock'; opId: string; sectionId: string };

export type Ack =
	| {
			ok: true;
			seq: number;
			safety?: boolean;
			alerted?: SafetyAlerted;
			revealed?: boolean;
			replayed?: boolean;
	  }
	| { ok: false; error: { code: string; message: string } };

const RETRY_MS = 2000;

export class AnswerQueue {
	/** Writes not yet acknowledged, oldest first. */
	pending = $state<(Write & { isAttempted: boolean })[]>([]);
	/** Per item: what the person should read next to it. */
	states = $state<Record<string, SaveState>>({});
	isOnline = $state(true);
	/** The last refusal, in words a person can act on. */
	problem = $state<string | null>(null);

	#url: () => string;
	#onAck: (write: Write, ack: Extract<Ack, { ok: true }>) => void;
	#isFlushing = false;
	#retry: ReturnType<typeof setTimeout> | undefined;

	constructor(url: () => string, onAck: (write: Write, ack: Extract<Ack, { ok: true }>) => void) {
		this.#url = url;
		this.#onAck = onAck;
	}

	/** Values still on their way, so the page can show them over the server's older state. */
	get pendingValues(): Record<string, unknown> {
		const values: Record<string, unknown> = {};
		for (const w of this.pending) if (w.action === 'answer') values[w.itemId] = w.value;
		return values;
	}

	answer(itemId: string, value: unknown) {
		// A newer answer replaces one that was never sent; one that may have reached the server keeps its opId.
		this.pending = this.pending.filter(
			(w) => !(w.action === 'answer' && w.itemId === itemId && !w.isAttempted)
		);
		this.pending.push({ action: 'answer', opId: newOpId(), itemId, value, isAttempted: false });
		this.states[itemId] = this.isOnline ? 'saving' : 'waiting';
		void this.flush();
	}

	lock(sectionId: string) {
		this.pending.push({ action: 'lock', opId: newOpId(), sectionId, isAttempted: false });
		void this.flush();
	}

	/** Sends what is queued, in order; stops at the first network failure and tries again later. */
	async flush() {
		if (this.#isFlushing) return;
		this.#isFlushing = true;
		clearTimeout(this.#retry);
		try {
			while (this.pending.length > 0) {
				const write = this.pending[0];
				write.isAttempted = true;
				const body: Write =
					write.action === 'answer'
						? { action: 'answer', opId: write.opId, itemId: write.itemId, value: write.value }
						: { action: 'lock', opId: write.opId, sectionId: write.sectionId };
				let ack: Ack | null = null;
				try {
					const response = await fetch(this.#url(), {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify(body)
					});
					if (response.status < 500) ack = (await response.json().catch(() => null)) as Ack | null;
				} catch {
					ack = null;
				}
				if (!ack) {
					this.#offline();
					return;
				}
				this.isOnline = true;
				if (!ack.ok && (ack.error.code === 'rate-limited' || ack.error.code === 'unavailable')) {
					// Not refused, only "not now": keep it queued with its opId and try again shortly.
					this.#retry = setTimeout(() => void this.flush(), RETRY_MS);
					return;
				}
				this.pending.shift();
				const isLatest =
					write.action === 'answer' &&
					!this.pending.some((w) => w.action === 'answer' && w.itemId === write.itemId);
				if (ack.ok) {
					if (isLatest && write.action === 'answer') this.states[write.itemId] = 'saved';
					this.problem = null;
					this.#onAck(write, ack);
				} else {
					if (isLatest && write.action === 'answer') this.states[write.itemId] = 'refused';
					this.problem = ack.error.message;
				}
			}
		} finally {
			this.#isFlushing = false;
		}
	}

	#offline() {
		this.isOnline = false;
		for (const w of this.pending) if (w.action === 'answer') this.states[w.itemId] = 'waiting';
		this.#retry = setTimeout(() => void this.flush(), RETRY_MS);
	}
}
