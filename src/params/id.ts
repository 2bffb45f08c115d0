// The route param matcher for every `[...Id=id]` segment: a param that is not a UUID matches no route,
// so SvelteKit answers 404 before any load or action runs.
import type { ParamMatcher } from '@sveltejs/kit';
import { isId } from '$lib/input';

export const match = ((param: string) => isId(param)) satisfies ParamMatcher;
