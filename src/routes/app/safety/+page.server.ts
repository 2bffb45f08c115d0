import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { email, readForm } from '$lib/server/forms';
import { id } from '$lib/input';
import { ACK_NOTE_MAX, SAFETY_ACTIONS } from '$lib/safety-actions';
import { requireTherapist } from '$lib/server/auth/guards';
import * as safety from '$lib/server/safety';
import type { Actions, PageServerLoad } from './$types';

const ROWS = 5;

export const load = (async ({ locals }) => {
	const { user } = requireTherapist(locals);
	const [flags, acknowledged, resources, safetyContact] = await Promise.all([
		safety.openFlags(db(), user.id),
		safety.acknowledgedFlags(db(), user.id),
		safety.crisisResources(db(), user.id),
		safety.safetyContact(db(), user.id)
	]);
	return { flags, acknowledged, resources, safetyContact, rows: ROWS };
}) satisfies PageServerLoad;

const optional = (label: string, max: number) =>
	v.pipe(
		v.optional(v.string(`${label} must be text.`), ''),
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

const NO_FLAG = 'That flag does not exist, or is not on one of your couples.';

const Acknowledge = v.object({
	flagId: id(NO_FLAG),
	// Absent when no radio was chosen: the same sentence as a wrong value.
	action: v.pipe(
		v.optional(v.string(), ''),
		v.picklist(
			SAFETY_ACTIONS,
			'Say what you did: called, messaged, discussed in session or something else.'
		)
	),
	note: v.pipe(
		v.optional(v.string('The note must be text.'), ''),
		v.trim(),
		v.maxLength(ACK_NOTE_MAX, `Keep the note to ${ACK_NOTE_MAX} characters or fewer.`)
	),
	// Back to the page the flag was shown on: a plain path in /app, anything else goes home.
	redirectTo: v.fallback(v.pipe(v.string(), v.regex(/^\/app(?:[/?#][!-~]*)?$/)), '/app')
});

// Empty clears the second contact.
const SafetyContact = v.object({
	contact: v.union([v.pipe(v.optional(v.string(), ''), v.trim(), v.length(0)), email])
});

/** The crisis resource rows as posted (`name-0`, `url-3`...), each checked by Resource below. */
const ResourcesForm = v.record(v.string(), v.union([v.string(), v.array(v.string())]));

export const actions = {
	acknowledge: async ({ locals, request, getClientAddress }) => {
		const { user } = requireTherapist(locals);
		const parsed = await readForm(request, Acknowledge);
		if (!parsed.ok) {
			if (parsed.errors.flagId === NO_FLAG) return fail(404, { message: NO_FLAG });
			const flagId = typeof parsed.values.flagId === 'string' ? parsed.values.flagId : '';
			return fail(400, {
				message: parsed.message,
				ackFlagId: flagId,
				errors: parsed.errors,
				values: { action: parsed.values.action ?? '', note: parsed.values.note ?? '' }
			});
		}
		const { flagId, redirectTo, action, note } = parsed.data;
		const isDone = await safety.acknowledge(
			db(),
			user.id,
			flagId,
			{ action, note },
			getClientAddress()
		);
		if (!isDone) return fail(404, { message: NO_FLAG });
		redirect(303, redirectTo);
	},
	contact: async ({ locals, request }) => {
		const { user } = requireTherapist(locals);
		const parsed = await readForm(request, SafetyContact);
		if (!parsed.ok) return fail(400, { contactError: parsed.message });
		const address = parsed.data.contact || null;
		await safety.setSafetyContact(db(), user.id, address);
		return {
			contactMessage: address
				? `Saved. Safety alerts also go to ${address}.`
				: 'Cleared. Safety alerts go only to you.'
		};
	},
	resources: async ({ locals, request }) => {
		const { user } = requireTherapist(locals);
		const form = await readForm(request, ResourcesForm);
		if (!form.ok) return fail(400, { resourcesError: form.message });
		const resources: safety.CrisisResource[] = [];
		for (let i = 0; i < ROWS; i++) {
			const parsed = v.safeParse(Resource, {
				name: form.data[`name-${i}`],
				phone: form.data[`phone-${i}`],
				textLine: form.data[`textLine-${i}`],
				url: form.data[`url-${i}`]
			});
			if (!parsed.success)
				return fail(400, { resourcesError: `Row ${i + 1}: ${parsed.issues[0].message}` });
			const r = parsed.output;
			if (!r.name && !r.phone && !r.textLine && !r.url) continue;
			if (!r.name) return fail(400, { resourcesError: `Row ${i + 1}: give the service a name.` });
			if (!r.phone && !r.textLine && !r.url) {
				return fail(400, {
					resourcesError: `Row ${i + 1}: add a phone number, a text line or a web address.`
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
