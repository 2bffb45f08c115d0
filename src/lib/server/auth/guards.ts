// Who may load which area: therapists after two-factor, partners after sign-in.
import { redirect } from '@sveltejs/kit';
import type { Session } from '../db/schema';
import type { SessionUser } from './session';

type Locals = { user: SessionUser | null; session: Session | null };

export function requireTherapist(locals: Locals): { user: SessionUser; session: Session } {
	const { user, session } = locals;
	if (!user || !session) redirect(303, '/login');
	if (user.role !== 'therapist') redirect(303, '/c');
	if (!session.two_factor_verified)
		redirect(303, user.hasTotp ? '/login/totp' : '/login/totp/setup');
	return { user, session };
}

export function requirePartner(locals: Locals): { user: SessionUser; session: Session } {
	const { user, session } = locals;
	if (!user || !session) redirect(303, '/login');
	if (user.role !== 'partner') redirect(303, '/app');
	return { user, session };
}
