// What an account page's action sent back, read for one of its forms (name, email or password): the
// answer belongs to the form that was sent, and the others show nothing.
export type AccountResult = {
	form?: string;
	saved?: string;
	message?: string;
	errors?: Record<string, string>;
	values?: Record<string, string>;
} | null;

export type FormResult = {
	errors: Record<string, string>;
	values: Record<string, string>;
	/** Why it was refused, or null once it saved. */
	refusal: string | null;
	saved: string | undefined;
};

export function resultFor(form: AccountResult, which: string): FormResult {
	const mine = form?.form === which ? form : null;
	return {
		errors: mine?.errors ?? {},
		values: mine?.values ?? {},
		refusal: mine?.saved ? null : (mine?.message ?? null),
		saved: mine?.saved
	};
}
