// Small helpers shared by the accounts tests: users straight in the database, and a stand-in for SvelteKit's cookies.
import type { Cookies } from '@sveltejs/kit';
import type { Kysely } from 'kysely';
import type { Database } from '$lib/server/db/schema';
import { hashPassword } from '$lib/server/auth/password';
import {
	createSession,
	generateSessionToken,
	validateSessionToken
} from '$lib/server/auth/session';

export const PASSWORD = 'correct horse battery staple';

/** Records what would have been set, the way a browser would keep it. */
export function fakeCookies(): Cookies & { jar: Map<string, string> } {
	const jar = new Map<string, string>();
	return {
		jar,
		get: (name: string) => jar.get(name),
		getAll: () => [...jar].map(([name, value]) => ({ name, value })),
		set: (name: string, value: string) => void jar.set(name, value),
		delete: (name: string) => void jar.delete(name),
		serialize: () => ''
	} as unknown as Cookies & { jar: Map<string, string> };
}

let hashed: Promise<string> | null = null;

export async function makeUser(
	db: Kysely<Database>,
	email: string,
	role: 'therapist' | 'partner',
	options: { totpKey?: Uint8Array | null; name?: string } = {}
) {
	hashed ??= hashPassword(PASSWORD);
	return db
		.insertInto('users')
		.values({
			email,
			role,
			display_name: options.name ?? email.split('@')[0],
			password_hash: await hashed,
			totp_key: options.totpKey ?? null
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

export async function signedInSession(
	db: Kysely<Database>,
	user: { id: string; role: 'therapist' | 'partner' },
	options: { twoFactorVerified?: boolean; sharedDevice?: boolean } = {}
) {
	const token = generateSessionToken();
	await createSession(db, token, user, options);
	const validated = await validateSessionToken(db, token);
	if (!validated.session) throw new Error('session did not validate');
	return { token, ...validated };
}
