// The one way a form action reads its body: typed values on success; on failure, per-field messages
// and the values to show again. A body that is not a readable form is a failure too, never a throw.
import { fail } from '@sveltejs/kit';
import * as v from 'valibot';
import { isStorable, unstorableMessage } from '$lib/input';

export type FieldErrors = Record<string, string>;

export type FormResult<T> =
	| { ok: true; data: T }
	| {
			ok: false;
			/** The whole form's problem when there is one (an unreadable body), else the first field's. */
			message: string;
			errors: FieldErrors;
			values: Record<string, string>;
	  };

export const UNREADABLE_FORM = 'The form could not be read. Please try again.';

/** The answer to a form that did not parse: 400, what to fix, and what was typed to show again. */
export function refuseForm(parsed: Extract<FormResult<unknown>, { ok: false }>) {
	return fail(400, {
		message: parsed.errors.form ?? 'Please fix the fields marked below.',
		errors: parsed.errors,
		values: parsed.values
	});
}

/** Text values to send back to the form so nothing typed is lost (passwords never echoed). */
export function echoValues(formData: FormData, omit: string[] = ['password', 'code']) {
	const values: Record<string, string> = {};
	for (const [name, value] of formData.entries()) {
		if (typeof value === 'string' && !omit.includes(name)) values[name] = value.slice(0, 5000);
	}
	return values;
}

/**
 * Reads the posted form and parses it through the schema. A malformed body (broken multipart, a
 * type that is not a form) answers the form's own failure, so no action ever calls
 * `request.formData()` itself.
 */
export async function readForm<TSchema extends v.GenericSchema>(
	request: Request,
	schema: TSchema,
	options: { omit?: string[] } = {}
): Promise<FormResult<v.InferOutput<TSchema>>> {
	const formData = await readFormData(request);
	if (!formData) return unreadable();
	return parseForm(formData, schema, options);
}

/** The posted form, or null when the body is not a readable form (for actions that parse in parts). */
export async function readFormData(request: Request): Promise<FormData | null> {
	try {
		return await request.formData();
	} catch {
		return null;
	}
}

export function unreadable(): FormResult<never> {
	return { ok: false, message: UNREADABLE_FORM, errors: { form: UNREADABLE_FORM }, values: {} };
}

/**
 * Parses FormData through a schema; repeated names arrive as arrays. Whatever the schema keeps also
 * meets the one text rule (no NUL), so no action can forget it.
 */
export function parseForm<TSchema extends v.GenericSchema>(
	formData: FormData,
	schema: TSchema,
	options: { omit?: string[] } = {}
): FormResult<v.InferOutput<TSchema>> {
	// No prototype: a field named `__proto__` or `constructor` is just a field.
	const raw: Record<string, unknown> = Object.create(null);
	for (const [name, value] of formData.entries()) {
		if (typeof value !== 'string') continue;
		if (Object.hasOwn(raw, name)) {
			const existing = raw[name];
			raw[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
		} else raw[name] = value;
	}
	const result = v.safeParse(schema, raw);
	const errors: FieldErrors = {};
	if (result.success) {
		for (const path of unstorablePaths(result.output))
			errors[path] ??= unstorableMessage('This field');
		if (Object.keys(errors).length === 0) return { ok: true, data: result.output };
	} else {
		for (const issue of result.issues) {
			const key = issue.path?.map((p: { key: unknown }) => String(p.key)).join('.') || 'form';
			errors[key] ??= issue.message;
		}
	}
	return {
		ok: false,
		message: errors.form ?? Object.values(errors)[0],
		errors,
		values: echoValues(formData, options.omit)
	};
}

/** Where in a parsed form text sits that the database cannot store (field names, dotted). */
function unstorablePaths(value: unknown, path = ''): string[] {
	if (typeof value === 'string') return isStorable(value) ? [] : [path || 'form'];
	if (Array.isArray(value)) return value.flatMap((item) => unstorablePaths(item, path));
	if (value && typeof value === 'object' && !(value instanceof Date)) {
		return Object.entries(value).flatMap(([key, item]) =>
			unstorablePaths(item, path ? `${path}.${key}` : key)
		);
	}
	return [];
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

/** A calendar day as `YYYY-MM-DD` that exists (no 30 February) and that PostgreSQL stores (no year 0). */
export function isCalendarDay(value: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
	const date = new Date(`${value}T00:00:00Z`);
	return (
		!Number.isNaN(date.getTime()) &&
		date.toISOString().slice(0, 10) === value &&
		date.getUTCFullYear() >= 1900
	);
}

export const day = (message: string) => v.pipe(v.string(message), v.check(isCalendarDay, message));
