import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import * as exercises from '$lib/server/exercises';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals }) => {
	const { user } = requireTherapist(locals);
	const library = await exercises.list(db(), user.id);
	return {
		library: library.map((e) => ({
			id: e.id,
			title: e.definition.title,
			purpose: e.definition.purpose,
			minutes: e.definition.estimatedMinutes ?? null,
			version: e.version,
			isBuiltIn: e.isBuiltIn,
			sectionCount: e.sectionCount,
			itemCount: e.itemCount,
			reveal: e.reveal,
			assignmentCount: e.assignmentCount
		}))
	};
}) satisfies PageServerLoad;
