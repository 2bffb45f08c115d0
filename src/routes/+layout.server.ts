import { DEFAULT_TIME_ZONE } from '$lib/dates';
import type { LayoutServerLoad } from './$types';

// Every page knows the viewer's clock, so the server and the browser write each date the same way.
export const load = (({ locals }) => ({
	timeZone: locals.user?.timeZone ?? DEFAULT_TIME_ZONE
})) satisfies LayoutServerLoad;
