// A form's "working…" state for `use:enhance`: busy from the moment it is sent until SvelteKit has
// applied the answer, so the button can say so and cannot be pressed twice.
import type { SubmitFunction } from '@sveltejs/kit';

export class Submission {
	busy = $state(false);
	readonly #keepValues: boolean;

	/** `keepValues`: a refused form keeps what was typed (SvelteKit resets a form by default). */
	constructor(options: { keepValues?: boolean } = {}) {
		this.#keepValues = options.keepValues ?? false;
	}

	enhance: SubmitFunction = () => {
		this.busy = true;
		return async ({ update }) => {
			await update(this.#keepValues ? { reset: false } : undefined);
			this.busy = false;
		};
	};
}
