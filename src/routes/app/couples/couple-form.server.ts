// The create/edit couple form: one schema, turned into the couples module's input.
import * as v from 'valibot';
import { checkbox, text } from '$lib/server/forms';
import type { CoupleDetail, CoupleInput } from '$lib/server/couples';
import { LENGTH_LIMITS } from '$lib/input';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const optionalEmail = v.pipe(
	v.optional(v.string(), ''),
	v.trim(),
	v.toLowerCase(),
	v.maxLength(254, 'That email address is too long.'),
	v.check(
		(value) => value === '' || EMAIL.test(value),
		'Enter an email address like name@example.com, or leave it empty.'
	),
	v.transform((value) => value || null)
);

// A phone number as people write one: digits with spaces, dashes, dots, brackets and a leading +.
const PHONE = /^\+?[0-9 ().-]+$/;

const optionalPhone = v.pipe(
	v.optional(v.string(), ''),
	v.trim(),
	v.maxLength(40, 'That phone number is too long (40 characters at most).'),
	v.check(
		(value) => value === '' || (PHONE.test(value) && value.replace(/[^0-9]/g, '').length >= 5),
		'Enter a phone number of digits (spaces, dashes, brackets and a leading + are fine), or leave it empty.'
	),
	v.transform((value) => value || null)
);

export const CoupleForm = v.pipe(
	v.object({
		label: v.pipe(
			v.optional(v.string(), ''),
			v.trim(),
			v.maxLength(
				LENGTH_LIMITS.coupleLabel,
				`The label is at most ${LENGTH_LIMITS.coupleLabel} characters; shorten it.`
			)
		),
		partner1Name: text('The first partner’s name', LENGTH_LIMITS.partnerName),
		partner1Email: optionalEmail,
		partner1Phone: optionalPhone,
		partner2Name: text('The second partner’s name', LENGTH_LIMITS.partnerName),
		partner2Email: optionalEmail,
		partner2Phone: optionalPhone,
		rolesApply: checkbox,
		injured: v.optional(v.picklist(['1', '2'], 'Choose who holds the injured role.'), '1')
	}),
	v.forward(
		v.check(
			(form) => !form.partner1Email || form.partner1Email !== form.partner2Email,
			'Each partner needs their own email address.'
		),
		['partner2Email']
	)
);

export type CoupleFormOutput = v.InferOutput<typeof CoupleForm>;

export function toCoupleInput(form: CoupleFormOutput): CoupleInput {
	return {
		label: form.label || `${form.partner1Name} & ${form.partner2Name}`,
		partners: [
			{ name: form.partner1Name, email: form.partner1Email, phone: form.partner1Phone },
			{ name: form.partner2Name, email: form.partner2Email, phone: form.partner2Phone }
		],
		rolesApply: form.rolesApply,
		injuredSlot: form.injured === '2' ? 2 : 1
	};
}

/** The form's field values for an existing couple (the edit page starts from these). */
export function formValues(couple: CoupleDetail): Record<string, string> {
	const [first, second] = couple.members;
	return {
		label: couple.label,
		partner1Name: first?.name ?? '',
		partner1Email: first?.email ?? '',
		partner1Phone: first?.phone ?? '',
		partner2Name: second?.name ?? '',
		partner2Email: second?.email ?? '',
		partner2Phone: second?.phone ?? '',
		rolesApply: couple.rolesApply ? 'on' : '',
		injured: second?.role === 'injured' ? '2' : '1'
	};
}
