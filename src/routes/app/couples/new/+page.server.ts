import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { parseForm } from '$lib/server/forms';
import { requireTherapist } from '$lib/server/guards';
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
		const formData = await request.formData().catch(() => null);
		if (!formData) {
			return fail(400, {
				message: 'The form could not be read. Please try again.',
				errors: {} as Record<string, string>,
				values: {} as Record<string, string>
			});
		}
		const parsed = parseForm(formData, CoupleForm);
		if (!parsed.ok) {
			return fail(400, {
				message: 'Please fix the fields marked below.',
				errors: parsed.errors,
				values: parsed.values
			});
		}
		const id = await couples.create(db(), user.id, toCoupleInput(parsed.data), getClientAddress());
		redirect(303, `/app/couples/${id}`);
	}
} satisfies Actions;
