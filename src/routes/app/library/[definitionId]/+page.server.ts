import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/guards';
import * as exercises from '$lib/server/exercises';
import * as safety from '$lib/server/safety';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals, params }) => {
	const { user } = requireTherapist(locals);
	const stored = await exercises.get(db(), user.id, params.definitionId);
	if (!stored) error(404, 'There is no such exercise in your library.');
	const [couples, crisisResources] = await Promise.all([
		db()
			.selectFrom('couples')
			.select(['id', 'label', 'roles_apply'])
			.where('therapist_id', '=', user.id)
			.where('archived_at', 'is', null)
			.orderBy('label')
			.execute(),
		safety.crisisResources(db(), user.id)
	]);
	return {
		exercise: {
			id: stored.id,
			version: stored.version,
			isBuiltIn: stored.ownerId === null,
			definition: stored.definition
		},
		couples,
		crisisResources
	};
}) satisfies PageServerLoad;
