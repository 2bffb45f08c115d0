// Parses FormData through a Valibot schema: typed values on success, per-field messages and the typed values on failure.
import * as v from 'valibot';

export type FieldErrors = Record<string, string>;

export type FormResult<T> =
	{ ok: true; data: T } | { ok: false; errors: FieldErrors; values: Record<string, string> };

/** Text values to send back to the form so nothing typed is lost (passwords never echoed). */
export function echoValues(formData: FormData, omit: string[] = ['password', 'code']) {
	const values: Record<string, string> = {};
	for (const [name, value] of formData.entries()) {
		if (typeof value === 'string' && !omit.includes(name)) values[name] = value.slice(0, 5000);
	}
	return values;
}

export function parseForm<TSchema extends v.GenericSchema>(
	formData: FormData,
	schema: TSchema,
	options: { omit?: string[] } = {}
): FormResult<v.InferOutput<TSchema>> {
	const raw: Record<string, unknown> = {};
	for (const [name, value] of formData.entries()) {
		if (typeof value !== 'string') continue;
		if (name in raw) {
			const existing = raw[name];
			raw[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
		} else raw[name] = value;
	}
	const result = v.safeParse(schema, raw);
	if (result.success) return { ok: true, data: result.output };
	const errors: FieldErrors = {};
	for (const issue of result.issues) {
		const key = issue.path?.map((p: { key: unknown }) => String(p.key)).join('.') || 'form';
		errors[key] ??= issue.message;
	}
	return { ok: false, errors, values: echoValues(formData, options.omit) };
}

/** A single text field: trimmed, required, with a maximum length and a message a person can act on. */
export const text = (label: string, max = 200) =>
	v.pipe(
		v.string(`${label} is required.`),
		v.trim(),
		v.nonEmpty(`${label} is required.`),
		v.maxLength(max, `${label} must be at most ${max} characters.`)
	);

export const email = v.pipe(
	v.string('Email is required.'),
	v.trim(),
	v.toLowerCase(),
	v.nonEmpty('Email is required.'),
	v.maxLength(254, 'That email address is too long.'),
	v.email('Enter an email address like name@example.com.')
);

export const checkbox = v.pipe(
	v.optional(v.string(), ''),
	v.transform((value) => value === 'on' || value === 'true')
);
