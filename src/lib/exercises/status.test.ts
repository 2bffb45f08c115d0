import { describe, expect, it } from 'vitest';
import { ROOM_STATE_WORDS, roomState } from './status';

describe('where a live room stands', () => {
	it('waits until the therapist opens it, is live after, and ended once closed', () => {
		expect(roomState({ status: 'open', openedAt: null })).toBe('waiting');
		expect(roomState({ status: 'open', openedAt: new Date() })).toBe('live');
		expect(roomState({ status: 'closed', openedAt: null })).toBe('ended');
		expect(roomState({ status: 'closed', openedAt: '2026-12-01T10:00:00Z' })).toBe('ended');
		expect(ROOM_STATE_WORDS.waiting).toBe('Starts when your therapist opens the room');
		expect(ROOM_STATE_WORDS.live).toBe('Live now');
	});
});
