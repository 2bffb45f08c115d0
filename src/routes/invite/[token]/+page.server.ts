import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { checkbox, email, readForm, refuseForm } from '$lib/server/forms';
import * as invites from '$lib/server/auth/invites';
import * as rateLimit from '$lib/server/auth/rate-limit';
import { PASSWORD_MAX } from '$lib/server/auth/password';
import { newPassword } from '$lib/server/auth/password';
import { beginSession } from '$lib/server/auth/sign-in';
import { requestContext } from '$lib/server/auth/session';
import * as timeZones from '$lib/server/auth/time-zone';
import type { Actions, PageServerLoad } from './$types';

// The password is checked against the existing account first, so only a new account gets the new-password rules.
const AcceptForm = v.object({
	email,
	password: v.pipe(
		v.string('Choose a password.'),
		v.nonEmpty('Choose a password.'),
		v.maxLength(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`)
	),
	sharedDevice: checkbox,
	timeZone: timeZones.detectedField
});

const deadLink: Record<invites.InviteStatus, string> = {
	valid: '',
	unknown:
		'This invite link is not valid. Check that the whole link was copied, or ask your therapist for a new one.',
	expired: 'This invite link has expired. Ask your therapist to send you a new one.',
	revoked:
		'This invite link was withdrawn by your therapist. Ask them for a new one if you still need it.',
	used: 'This invite link has already been used. Sign in with your email and password instead.',
	joined: 'This place in the couple has already been taken. Sign in with your email and password.'
};

function publicView(view: invites.InviteView) {
	return {
		status: view.status,
		message: deadLink[view.status] || null,
		therapistName: view.status === 'valid' ? view.therapistName : null,
		partnerName: view.status === 'valid' ? view.partnerName : null,
		email: view.status === 'valid' ? view.email : null
	};
}

export const load = (async ({ params, setHeaders }) => {
	// The token is a credential in the URL: never cache the page, and never send a Referer (hooks send it only to this origin).
	setHeaders({ 'cache-control': 'no-store' });
	const view = await invites.lookup(db(), params.token);
	return { invite: publicView(view) };
}) satisfies PageServerLoad;

export const actions = {
	default: async (event) => {
		const { request, params } = event;
		const context = requestContext(event);
		const { ip } = context;
		const limited = await rateLimit.hit(db(), `invite:ip:${ip}`, rateLimit.limits.invitePerIp);
		const parsed = await readForm(request, AcceptForm);
		const values: Record<string, string> = parsed.ok
			? { email: parsed.data.email, sharedDevice: parsed.data.sharedDevice ? 'on' : '' }
			: parsed.values;
		if (limited.limited) {
			return fail(429, {
				message: `Too many tries from this network. Try again ${rateLimit.describeWait(limited.retryAfterSeconds)}.`,
				errors: {} as Record<string, string>,
				values
			});
		}
		if (!parsed.ok) return refuseForm(parsed);
		const { email: address, password, sharedDevice } = parsed.data;
		const view = await invites.lookup(db(), params.token);
		if (view.status !== 'valid') {
			return fail(410, {
				message: deadLink[view.status],
				errors: {} as Record<string, string>,
				values
			});
		}
		// A brand-new account must meet the password rules; an existing one is checked by accept().
		if (!(await invites.hasAccount(db(), address))) {
			const check = v.safeParse(newPassword, password);
			if (!check.success) {
				return fail(400, {
					message: 'Please fix the fields marked below.',
					errors: { password: check.issues[0].message } as Record<string, string>,
					values
				});
			}
		}
		const result = await invites.accept(db(), {
			token: params.token,
			email: address,
			password,
			ip
		});
		if (!result.ok) {
			const errors: Record<string, string> = {};
			let message = 'Please fix the fields marked below.';
			let status: 400 | 410 | 429 = 400;
			if (result.reason === 'invite') {
				message = deadLink[result.status];
				status = 410;
			} else if (result.reason === 'limited') {
				message = `Too many sign-in attempts for this account. Try again ${rateLimit.describeWait(result.retryAfterSeconds)}.`;
				status = 429;
			} else if (result.reason === 'therapist-email') {
				errors.email =
					'This email belongs to a therapist account. Use another email for your partner account.';
			} else if (result.reason === 'wrong-password') {
				errors.password =
					'You already use Trellis with this email: enter that password to add this couple to your account.';
			} else {
				errors.email = 'This account has already joined this couple. Sign in instead.';
			}
			return fail(status, { message, errors, values });
		}

		await timeZones.adoptDetected(db(), result.user.id, parsed.data.timeZone);
		// Whoever was signed in in this browser before is signed out, sockets and all.
		await beginSession(db(), { user: result.user, sharedDevice, ...context });
		redirect(303, '/c?joined=1');
	}
} satisfies Actions;
