import { redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { readForm, refuseForm } from '$lib/server/forms';
import { requireTherapist } from '$lib/server/auth/guards';
import * as couples from '$lib/server/couples';
import { CoupleForm, toCoupleInput } from '../couple-form.server';
import type { Actions, PageServerLoad } from './$types';

export const load = (({ locals }) => {
	requireTherapist(locals);
	return {};
}) satisfies PageServerLoad;

export const actions = {
	default: async ({ request, locals, getClientAddress }) => {
		const { user } = requireTherapist(locals);
		const parsed = await readForm(request, CoupleForm);
		if (!parsed.ok) return refuseForm(parsed);
		const id = await couples.create(db(), user.id, toCoupleInput(parsed.data), getClientAddress());
		redirect(303, `/app/couples/${id}`);
	}
} satisfies Actions;
