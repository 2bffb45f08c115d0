import { error, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import * as couples from '$lib/server/couples';
import * as exercises from '$lib/server/exercises';
import * as safety from '$lib/server/safety';
import type { Actions, PageServerLoad } from './$types';

export const load = (async ({ locals, params }) => {
	const { user } = requireTherapist(locals);
	const stored = await exercises.get(db(), user.id, params.definitionId);
	if (!stored) error(404, 'There is no such exercise in your library.');
	const [choices, crisisResources] = await Promise.all([
		couples.openChoices(db(), user.id),
		safety.crisisResources(db(), user.id)
	]);
	return {
		exercise: {
			id: stored.id,
			version: stored.version,
			isBuiltIn: stored.ownerId === null,
			definition: stored.definition
		},
		couples: choices,
		crisisResources
	};
}) satisfies PageServerLoad;

export const actions = {
	archive: async ({ locals, params }) => {
		const { user } = requireTherapist(locals);
		if (!(await exercises.archive(db(), user.id, params.definitionId))) {
			error(404, 'There is no such exercise of yours.');
		}
		redirect(303, '/app/library?archived=1');
	}
} satisfies Actions;
