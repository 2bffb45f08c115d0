// The one way actions read a form: never a throw, whatever the body; the text rule on every field kept.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { UNREADABLE_FORM, isCalendarDay, readForm } from './forms';

const Form = v.object({ name: v.string('Name is required.'), note: v.optional(v.string(), '') });

function post(body: BodyInit, type?: string) {
	return new Request('http://trellis.test/form', {
		method: 'POST',
		body,
		headers: type ? { 'content-type': type } : {}
	});
}

describe('readForm', () => {
	it('answers a body that is not a readable form with a failure, never a throw', async () => {
		const part = '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nRobin';
		for (const request of [
			post(part, 'multipart/form-data'),
			post(part, 'multipart/form-data; boundary=b'),
			post(`${part}\r\n--b--\r\n`, 'multipart/form-data; boundary=other'),
			post('{"name": "Robin"}', 'application/json'),
			post('name=Robin', 'text/plain')
		]) {
			expect(await readForm(request, Form)).toEqual({
				ok: false,
				message: UNREADABLE_FORM,
				errors: { form: UNREADABLE_FORM },
				values: {}
			});
		}
	});

	it('reads urlencoded and multipart forms alike', async () => {
		const multipart = new FormData();
		multipart.append('name', 'Robin');
		for (const request of [
			post(multipart),
			post('name=Robin', 'application/x-www-form-urlencoded')
		]) {
			expect(await readForm(request, Form)).toEqual({
				ok: true,
				data: { name: 'Robin', note: '' }
			});
		}
	});

	it('refuses a NUL in a field the schema keeps, with a sentence, and echoes what was typed', async () => {
		const result = await readForm(
			post('name=Ro%00bin&note=fine', 'application/x-www-form-urlencoded'),
			Form
		);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.errors.name).toMatch(/^This field contains a NUL character/);
		expect(result.values.note).toBe('fine');
		// A field the schema does not keep never reaches the database, so it is not refused.
		expect(
			await readForm(post('name=Robin&extra=%00', 'application/x-www-form-urlencoded'), Form)
		).toMatchObject({ ok: true });
	});

	it('treats fields named __proto__ and constructor as plain fields', async () => {
		const result = await readForm(
			post('__proto__=x&__proto__=y&constructor=z&name=Robin', 'application/x-www-form-urlencoded'),
			v.record(v.string(), v.unknown())
		);
		expect(result).toMatchObject({ ok: true, data: { name: 'Robin' } });
	});
});

describe('isCalendarDay', () => {
	it('takes days that exist and refuses the rest', () => {
		expect(isCalendarDay('2028-02-29')).toBe(true);
		for (const day of ['2026-02-29', '2026-02-30', '2026-13-01', '0000-01-01', '2026-1-1', ''])
			expect(isCalendarDay(day), day).toBe(false);
	});
});
