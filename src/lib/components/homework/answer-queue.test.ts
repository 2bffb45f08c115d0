import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnswerQueue, type Write } from './answer-queue.svelte';

type Sent = Write & { opId: string };

/** A stand-in for the network: offline until told otherwise, then acknowledging every write. */
function network() {
	const attempts: Sent[] = [];
	const delivered: Sent[] = [];
	let isUp = false;
	const fetch = vi.fn(async (_url: string, init: RequestInit) => {
		const body = JSON.parse(String(init.body)) as Sent;
		attempts.push(body);
		if (!isUp) throw new TypeError('Failed to fetch');
		delivered.push(body);
		return new Response(
			JSON.stringify({
				ok: true,
				seq: delivered.length,
				safety: body.action === 'answer' && body.value === 'often'
			}),
			{
				status: 200,
				headers: { 'content-type': 'application/json' }
			}
		);
	});
	return { attempts, delivered, fetch, up: () => (isUp = true) };
}

describe('the homework answer queue', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => {
		vi.useRealTimers();
		vi.unstubAllGlobals();
	});

	it('keeps answers while offline and re-sends each with the same opId, in order', async () => {
		const net = network();
		vi.stubGlobal('fetch', net.fetch);
		const acked: string[] = [];
		const queue = new AnswerQueue(
			() => '/api/assignments/a/answers',
			(write) => acked.push(write.opId)
		);

		queue.answer('flirt', { choice: 'ok' });
		await vi.waitFor(() => expect(queue.isOnline).toBe(false));
		expect(queue.states.flirt).toBe('waiting');
		queue.answer('texting', { choice: 'talk-first' });
		queue.lock('first');
		expect(queue.pending.map((w) => w.action)).toEqual(['answer', 'answer', 'lock']);

		net.up();
		await vi.advanceTimersByTimeAsync(2000);
		await vi.waitFor(() => expect(queue.pending).toHaveLength(0));

		// Every try of the first write, offline or not, carried one opId: the server applies it once.
		const firstWrite = net.attempts.filter((w) => w.action === 'answer' && w.itemId === 'flirt');
		expect(new Set(firstWrite.map((w) => w.opId)).size).toBe(1);
		expect(net.delivered.map((w) => w.action)).toEqual(['answer', 'answer', 'lock']);
		expect(net.delivered[0].opId).toBe(firstWrite[0].opId);
		expect(new Set(acked).size).toBe(3);
		expect(queue.states).toMatchObject({ flirt: 'saved', texting: 'saved' });
		expect(queue.isOnline).toBe(true);
	});

	it('replaces an answer that was never sent with the newer one', async () => {
		const net = network();
		vi.stubGlobal('fetch', net.fetch);
		const queue = new AnswerQueue(
			() => '/x',
			() => undefined
		);
		queue.answer('trust', 3);
		await vi.waitFor(() => expect(queue.isOnline).toBe(false));
		queue.answer('hope', 'a');
		queue.answer('hope', 'a calmer week');
		expect(queue.pending.filter((w) => w.action === 'answer' && w.itemId === 'hope')).toHaveLength(
			1
		);
		expect(queue.pendingValues).toEqual({ trust: 3, hope: 'a calmer week' });
	});
});
