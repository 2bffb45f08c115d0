import { sql } from 'kysely';
import { db } from '$lib/server/db';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
	try {
		await sql`select 1`.execute(db());
		return new Response('ok', {
			headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' }
		});
	} catch {
		return new Response('database unavailable', {
			status: 503,
			headers: { 'content-type': 'text/plain' }
		});
	}
};
