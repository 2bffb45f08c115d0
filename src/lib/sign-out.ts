// Ends the session from script (the idle warning, a shared device's new tab) the way the Sign out
// button does: a form post to /logout. A failure is ignored: the caller leaves the page either way.
export async function signOut(): Promise<void> {
	await fetch('/logout', {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: ''
	}).catch(() => null);
}
