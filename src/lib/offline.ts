// What an offline navigation needs to know: whether the page being left holds answers not sent yet.
// Such a page keeps the person on it with its own message (its beforeNavigate: the homework page, the
// live room); any other navigation while offline shows the root layout's calm offline page instead
// of the browser's own error page. Nothing here is stored: each page registers a check while mounted.
const holders = new Set<() => boolean>();

/** Registers a check of "this page has unsent answers"; returns the function that removes it. */
export function holdsUnsent(check: () => boolean): () => void {
	holders.add(check);
	return () => holders.delete(check);
}

export function isHoldingUnsent(): boolean {
	for (const check of holders) if (check()) return true;
	return false;
}
