import { db } from '$lib/server/db';
import { requirePartner } from '$lib/server/auth/guards';
import * as safety from '$lib/server/safety';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals }) => {
	const { user } = requirePartner(locals);
	return { resources: await safety.crisisResourcesForPartner(db(), user.id) };
}) satisfies PageServerLoad;
