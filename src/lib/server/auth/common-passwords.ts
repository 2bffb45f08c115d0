// The 1,000 most common passwords, taken from the ranked list that zxcvbn-ts maintains and ships.
import { dictionary } from '@zxcvbn-ts/language-common';

export const COMMON_PASSWORD_COUNT = 1000;

const common = new Set(
	dictionary['passwords-common'].slice(0, COMMON_PASSWORD_COUNT).map((p) => p.toLowerCase())
);

/** True for a password on the list, ignoring case ("Password1" is as guessable as "password1"). */
export function isCommonPassword(password: string): boolean {
	return common.has(password.toLowerCase());
}
