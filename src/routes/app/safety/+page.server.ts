import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/guards';
import * as safety from '$lib/server/safety';
import type { Actions, PageServerLoad } from './$types';

const ROWS = 5;

export const load = (async ({ locals }) => {
	const { user } = requireTherapist(locals);
	const [flags, resources] = await Promise.all([
		safety.openFlags(db(), user.id),
		safety.crisisResources(db(), user.id)
	]);
	return { flags, resources, rows: ROWS };
}) satisfies PageServerLoad;

const optional = (label: string, max: number) =>
	v.pipe(
		v.optional(v.string(), ''),
		v.trim(),
		v.maxLength(max, `${label} must be at most ${max} characters.`)
	);

const Resource = v.object({
	name: optional('The name', 120),
	phone: optional('The phone number', 40),
	textLine: optional('The text line', 120),
	url: v.pipe(
		optional('The web address', 300),
		v.check(
			(u) => u === '' || /^https:\/\/[^\s]+$/.test(u),
			'The web address must start with https://.'
		)
	)
});

export const actions = {
	acknowledge: async ({ locals, request, getClientAddress }) => {
		const { user } = requireTherapist(locals);
		const form = await request.formData();
		const flagId = String(form.get('flagId') ?? '');
		const isDone = await safety.acknowledge(db(), user.id, flagId, getClientAddress());
		if (!isDone)
			return fail(404, { message: 'That flag does not exist, or is not on one of your couples.' });
		const back = String(form.get('redirectTo') ?? '/app');
		redirect(303, back.startsWith('/app') ? back : '/app');
	},
	resources: async ({ locals, request }) => {
		const { user } = requireTherapist(locals);
		const form = await request.formData();
		const resources: safety.CrisisResource[] = [];
		for (let i = 0; i < ROWS; i++) {
			const parsed = v.safeParse(Resource, {
				name: form.get(`name-${i}`) ?? '',
				phone: form.get(`phone-${i}`) ?? '',
				textLine: form.get(`textLine-${i}`) ?? '',
				url: form.get(`url-${i}`) ?? ''
			});
			if (!parsed.success)
				return fail(400, { resourcesMessage: `Row ${i + 1}: ${parsed.issues[0].message}` });
			const r = parsed.output;
			if (!r.name && !r.phone && !r.textLine && !r.url) continue;
			if (!r.name) return fail(400, { resourcesMessage: `Row ${i + 1}: give the service a name.` });
			if (!r.phone && !r.textLine && !r.url) {
				return fail(400, {
					resourcesMessage: `Row ${i + 1}: add a phone number, a text line or a web address.`
				});
			}
			resources.push({
				name: r.name,
				phone: r.phone || null,
				textLine: r.textLine || null,
				url: r.url || null
			});
		}
		await safety.setCrisisResources(db(), user.id, resources);
		return {
			resourcesMessage: resources.length
				? 'Saved. Your couples see this list.'
				: 'Cleared. Your couples see the default list.'
		};
	}
} satisfies Actions;
