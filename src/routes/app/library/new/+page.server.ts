import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/guards';
import * as exercises from '$lib/server/exercises';
import * as safety from '$lib/server/safety';
import type { Actions, PageServerLoad } from './$types';

export const load = (async ({ locals, url }) => {
	const { user } = requireTherapist(locals);
	// "Make a copy" starts the builder from any exercise the therapist may use, built-ins included.
	const from = url.searchParams.get('from');
	const source = from ? await exercises.get(db(), user.id, from) : null;
	const copy = source
		? {
				title: `${source.definition.title} (my version)`,
				purpose: source.definition.purpose,
				instructions: source.definition.instructions,
				estimatedMinutes: source.definition.estimatedMinutes,
				sections: source.definition.sections
			}
		: null;
	return { crisisResources: await safety.crisisResources(db(), user.id), copy };
}) satisfies PageServerLoad;

export const actions = {
	default: async ({ locals, request }) => {
		const { user } = requireTherapist(locals);
		const raw = String((await request.formData()).get('definition') ?? '');
		let input: unknown;
		try {
			input = JSON.parse(raw);
		} catch {
			return fail(400, {
				errors: ['The exercise could not be read; reload the page and try again.'],
				draft: null
			});
		}
		const saved = await exercises.createCustom(db(), user.id, input);
		if (!saved.ok) return fail(400, { errors: saved.errors, draft: input });
		redirect(303, `/app/library/${saved.id}`);
	}
} satisfies Actions;
