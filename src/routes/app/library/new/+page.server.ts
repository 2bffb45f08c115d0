import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import * as exercises from '$lib/server/exercises';
import { builderIssues } from '$lib/exercises/builder-issues';
import { readForm } from '$lib/server/forms';
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
		const posted = await readForm(request, exercises.DraftForm);
		const input = posted.ok ? exercises.parseDraft(posted.data.definition) : undefined;
		// The builder keeps the draft on the page; only the messages go back (never the raw input).
		if (input === undefined)
			return fail(400, { errors: [{ fieldId: null, message: exercises.UNREADABLE_DRAFT }] });
		const saved = await exercises.createCustom(db(), user.id, input);
		if (!saved.ok) return fail(400, { errors: builderIssues(saved.issues, input) });
		redirect(303, `/app/library/${saved.id}`);
	}
} satisfies Actions;
