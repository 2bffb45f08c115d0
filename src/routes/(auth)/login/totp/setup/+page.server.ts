import { error, fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { readForm } from '$lib/server/forms';
import { ENROL_AFTER_RECOVERY, enrolTotp, mayEnrol } from '$lib/server/auth/two-factor';
import {
	generateTotpKey,
	totpKeyFromBase32,
	totpKeyToBase32,
	totpUri
} from '$lib/server/auth/totp';
import { qrDataUri } from '$lib/server/auth/qr';
import { reauthenticate } from '$lib/server/auth/account';
import { requestContext } from '$lib/server/auth/session';
import type { Actions, PageServerLoad } from './$types';

// The key travels in a hidden field until confirmed (the Lucia guide's way): it is only saved once a
// code proves the authenticator has it, and a page that is abandoned leaves nothing behind.
const EnrolForm = v.object({
	key: v.pipe(
		v.string('The set-up key is missing. Reload the page to get a new QR code.'),
		v.regex(/^[A-Z2-7]{32}$/, 'The set-up key was changed. Reload the page to get a new QR code.')
	),
	code: v.pipe(
		v.string('Enter the 6-digit code from your authenticator app.'),
		v.trim(),
		v.nonEmpty('Enter the 6-digit code from your authenticator app.'),
		v.maxLength(20, 'Enter the 6-digit code from your authenticator app.')
	),
	// Replacing an authenticator from a signed-in session asks for the password again.
	password: v.optional(v.pipe(v.string(), v.maxLength(256, 'That password is too long.')), '')
});

/** Who may be here: see mayEnrol (two-factor.ts), which enrolTotp also holds to. */
function allowed(locals: App.Locals) {
	const { user, session } = locals;
	if (!user || !session) redirect(303, '/login');
	if (user.role !== 'therapist') redirect(303, '/c');
	if (!mayEnrol(user, session)) {
		if (user.hasTotp) redirect(303, '/login/totp');
		error(403, ENROL_AFTER_RECOVERY);
	}
	return { user, session };
}

function setup(secret: string, email: string) {
	const key = totpKeyFromBase32(secret);
	return { secret, qr: qrDataUri(totpUri(key, email)) };
}

export const load = (({ locals, setHeaders }) => {
	const { user, session } = allowed(locals);
	setHeaders({ 'cache-control': 'no-store' });
	return {
		...setup(totpKeyToBase32(generateTotpKey()), user.email),
		replacing: user.hasTotp && session.two_factor_verified
	};
}) satisfies PageServerLoad;

export const actions = {
	default: async (event) => {
		const { user, session } = allowed(event.locals);
		const context = requestContext(event);
		const parsed = await readForm(event.request, EnrolForm, { omit: ['password', 'code'] });
		if (!parsed.ok) {
			const key = parsed.values.key;
			return fail(400, {
				message:
					parsed.errors.form ??
					parsed.errors.key ??
					parsed.errors.code ??
					parsed.errors.password ??
					parsed.message,
				...(key && /^[A-Z2-7]{32}$/.test(key) ? setup(key, user.email) : {})
			});
		}
		if (user.hasTotp && session.two_factor_verified) {
			const refused = await reauthenticate(
				db(),
				{ userId: user.id, email: user.email, ip: context.ip },
				parsed.data.password
			);
			if (refused) {
				return fail(refused.status, {
					message: refused.message,
					passwordError: refused.message,
					...setup(parsed.data.key, user.email)
				});
			}
		}
		const result = await enrolTotp(db(), {
			user,
			session,
			code: parsed.data.code,
			totpKey: totpKeyFromBase32(parsed.data.key),
			...context
		});
		if (!result.ok) {
			return fail(result.status, {
				message: result.message,
				...setup(parsed.data.key, user.email)
			});
		}
		return { recoveryCode: result.recoveryCode };
	}
} satisfies Actions;
