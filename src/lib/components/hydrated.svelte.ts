import { onMount } from 'svelte';

/**
 * Whether the component's scripts have run: false in the server's HTML and until hydration ends.
 * Answer controls wait for it, since hydration resets a control to the stored answer and a tap made
 * before then would be undone and never sent (docs/decisions.md). Call it while a component starts.
 */
export function hydrated(): { readonly current: boolean } {
	let current = $state(false);
	onMount(() => {
		current = true;
	});
	return {
		get current() {
			return current;
		}
	};
}
