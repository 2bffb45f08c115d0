import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import * as exercises from '$lib/server/exercises';
import { builderIssues } from '$lib/exercises/builder-issues';
import { readForm } from '$lib/server/forms';
import * as safety from '$lib/server/safety';
import type { Actions, PageServerLoad } from './$types';

export const load = (async ({ locals, params }) => {
	const { user } = requireTherapist(locals);
	const stored = await exercises.get(db(), user.id, params.definitionId);
	if (!stored || stored.ownerId !== user.id) error(404, 'There is no such exercise of yours.');
	// The key stays the stored one; the builder edits everything else.
	const { title, purpose, instructions, estimatedMinutes, sections } = stored.definition;
	const draft = { title, purpose, instructions, estimatedMinutes, sections };
	return {
		exercise: { id: stored.id, version: stored.version, draft },
		crisisResources: await safety.crisisResources(db(), user.id)
	};
}) satisfies PageServerLoad;

export const actions = {
	default: async ({ locals, params, request }) => {
		const { user } = requireTherapist(locals);
		const posted = await readForm(request, exercises.DraftForm);
		const input = posted.ok ? exercises.parseDraft(posted.data.definition) : undefined;
		if (input === undefined)
			return fail(400, { errors: [{ fieldId: null, message: exercises.UNREADABLE_DRAFT }] });
		const saved = await exercises.updateCustom(db(), user.id, params.definitionId, input);
		if (!saved) error(404, 'There is no such exercise of yours.');
		if (!saved.ok) return fail(400, { errors: builderIssues(saved.issues, input) });
		redirect(303, `/app/library/${saved.id}${saved.isNewVersion ? '?saved=new-version' : ''}`);
	}
} satisfies Actions;
