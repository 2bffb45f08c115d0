import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { COMMON_PASSWORD_COUNT, isCommonPassword } from './common-passwords';
import { newPassword } from './password';

describe('common passwords', () => {
	it('knows the most common passwords, in any case', () => {
		expect(COMMON_PASSWORD_COUNT).toBe(1000);
		for (const password of [
			'123456',
			'password',
			'qwertyuiop',
			'1234567890',
			'Password',
			'ILOVEYOU'
		])
			expect(isCommonPassword(password)).toBe(true);
		expect(isCommonPassword('correct horse battery staple')).toBe(false);
	});

	it('refuses a common password of allowed length at sign-up, and keeps no composition rules', () => {
		expect(v.safeParse(newPassword, 'qwertyuiop').success).toBe(false);
		expect(v.safeParse(newPassword, '1234567890').success).toBe(false);
		expect(v.safeParse(newPassword, 'short').success).toBe(false);
		expect(v.safeParse(newPassword, 'x'.repeat(257)).success).toBe(false);
		expect(v.safeParse(newPassword, 'all lowercase words here').success).toBe(true);
	});
});
