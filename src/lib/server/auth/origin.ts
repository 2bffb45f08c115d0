// Which origin may send a write or open a live socket: the public ORIGIN when it is set, else the
// request's own host. The one rule behind the gate in hooks.server.ts and the /live handshake.

/** True when a request from `origin` (its Origin header) may act on a server reached as `ownOrigin`. */
export function isSameOrigin(origin: string | null | undefined, ownOrigin: string): boolean {
	if (!origin) return false;
	try {
		return new URL(origin).origin === new URL(ownOrigin).origin;
	} catch {
		return false;
	}
}

/**
 * Whether a non-GET request crossed from another site. A browser names the page's origin on every
 * POST (and `Sec-Fetch-Site` on every request); a request with neither came from a program that
 * holds the cookie itself, which is not the cross-site forgery this check is for.
 */
export function isCrossSiteWrite(headers: Headers, ownOrigin: string): boolean {
	const origin = headers.get('origin');
	if (origin !== null) return !isSameOrigin(origin, ownOrigin);
	const site = headers.get('sec-fetch-site');
	return site !== null && site !== 'same-origin' && site !== 'none';
}

/**
 * The /live handshake's check. Without a configured ORIGIN the page's own host is the only one
 * allowed (the scheme is not compared: behind a TLS proxy the server sees plain HTTP).
 */
export function mayOpenSocket(
	origin: string | undefined,
	host: string | undefined,
	publicOrigin: string | null
): boolean {
	if (origin === undefined) return true; // not a browser: no page to forge from
	if (publicOrigin) return isSameOrigin(origin, publicOrigin);
	try {
		return host !== undefined && new URL(origin).host === host;
	} catch {
		return false;
	}
}
