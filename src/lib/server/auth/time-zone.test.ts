import { describe, expect, it } from 'vitest';
import { detected } from './time-zone';

describe('a zone the browser reports', () => {
	it('keeps a zone the runtime knows, in the runtime’s own spelling', () => {
		expect(detected('Europe/Berlin')).toBe('Europe/Berlin');
		expect(detected('UTC')).toBe('UTC');
		// A newer name of a zone resolves to the name Intl lists.
		const kolkata = detected('Asia/Kolkata');
		expect(kolkata).not.toBeNull();
		expect(Intl.supportedValuesOf('timeZone')).toContain(kolkata);
	});

	it('ignores junk and blanks', () => {
		for (const value of ['', 'Mars/Olympus', 'Europe/Berlin\u0000', 'x'.repeat(200), 42, null]) {
			expect(detected(value)).toBeNull();
		}
	});
});
