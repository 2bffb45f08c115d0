import { error, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { readForm, refuseForm } from '$lib/server/forms';
import { requireTherapist } from '$lib/server/auth/guards';
import * as couples from '$lib/server/couples';
import { CoupleForm, formValues, toCoupleInput } from '../../couple-form.server';
import type { Actions, PageServerLoad } from './$types';

const NOT_FOUND = 'There is no such couple in your practice.';

export const load = (async ({ locals, params }) => {
	const { user } = requireTherapist(locals);
	const couple = await couples.getForTherapist(db(), user.id, params.coupleId);
	if (!couple) error(404, NOT_FOUND);
	return { couple: { id: couple.id, label: couple.label }, values: formValues(couple) };
}) satisfies PageServerLoad;

export const actions = {
	default: async ({ request, locals, params, getClientAddress }) => {
		const { user } = requireTherapist(locals);
		if (!(await couples.canAccess(db(), user, params.coupleId))) error(404, NOT_FOUND);
		const parsed = await readForm(request, CoupleForm);
		if (!parsed.ok) return refuseForm(parsed);
		const saved = await couples.update(
			db(),
			user.id,
			params.coupleId,
			toCoupleInput(parsed.data),
			getClientAddress()
		);
		if (!saved) error(404, NOT_FOUND);
		redirect(303, `/app/couples/${params.coupleId}`);
	}
} satisfies Actions;
