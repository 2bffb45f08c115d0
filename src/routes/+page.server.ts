import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

export const load = (({ locals }) => {
	if (!locals.user) redirect(303, '/login');
	redirect(303, locals.user.role === 'therapist' ? '/app' : '/c');
}) satisfies PageServerLoad;
