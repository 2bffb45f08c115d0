import { requirePartner } from '$lib/server/auth/guards';
import type { LayoutServerLoad } from './$types';

export const load = (({ locals }) => {
	const { user, session } = requirePartner(locals);
	return { user: { id: user.id, name: user.display_name }, sharedDevice: session.shared_device };
}) satisfies LayoutServerLoad;
