import {
	json,
	redirect,
	type Handle,
	type HandleServerError,
	type ServerInit
} from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { building } from '$app/environment';
import { db, closeConnection } from '$lib/server/db';
import {
	SESSION_COOKIE,
	deleteSessionCookie,
	setSessionCookie,
	validateSessionToken
} from '$lib/server/auth/session';
import { isCrossSiteWrite } from '$lib/server/auth/origin';
import { config } from '$lib/server/config';
import { startup, stopBackgroundWork } from '$lib/server/startup';
import { attachRealtime } from '$lib/server/realtime';
import { liveServer } from '$lib/server/realtime/server';

export const init: ServerInit = async () => {
	if (building) return;
	await startup();
	const io = liveServer();
	if (io) await attachRealtime(io);
	// server.js awaits this after draining requests: the background work stops, then PGlite closes cleanly.
	(globalThis as { __trellisClose?: () => Promise<void> }).__trellisClose = async () => {
		await stopBackgroundWork();
		await closeConnection();
	};
};

const authenticate: Handle = async ({ event, resolve }) => {
	const token = event.cookies.get(SESSION_COOKIE) ?? null;
	const secure = event.url.protocol === 'https:';
	event.locals.user = null;
	event.locals.session = null;
	if (token) {
		const { session, user } = await validateSessionToken(db(), token);
		if (session) {
			setSessionCookie(event.cookies, token, session, secure);
			event.locals.session = session;
			event.locals.user = user;
		} else {
			deleteSessionCookie(event.cookies, secure);
		}
	}
	return resolve(event);
};

const securityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('X-Content-Type-Options', 'nosniff');
	// same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts, which
	// SvelteKit's CSRF check (rightly) refuses, so forms would need JavaScript.
	response.headers.set('Referrer-Policy', 'same-origin');
	response.headers.set('X-Frame-Options', 'DENY');
	response.headers.set(
		'Permissions-Policy',
		'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()'
	);
	response.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
	// Nothing a signed-in person sees may be kept by a browser or proxy cache.
	if (event.locals.session) response.headers.set('Cache-Control', 'no-store');
	return response;
};

// Matches adapter-node's BODY_SIZE_LIMIT default; a declared larger body is refused before it is read.
const { bodyLimit } = config();

const limitBody: Handle = async ({ event, resolve }) => {
	const length = Number(event.request.headers.get('content-length') ?? 0);
	if (length > bodyLimit) {
		return new Response(
			`That request is larger than ${Math.round(bodyLimit / 1024)} KB, the most Trellis accepts. Shorten it and try again.`,
			{ status: 413, headers: { 'content-type': 'text/plain; charset=utf-8' } }
		);
	}
	return resolve(event);
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every write must come from Trellis's own pages. SvelteKit checks the Origin of form posts only;
 * this covers every method and content type, body-less posts (`/logout`) and JSON endpoints too.
 */
const checkOrigin: Handle = async ({ event, resolve }) => {
	if (
		!SAFE_METHODS.has(event.request.method) &&
		isCrossSiteWrite(event.request.headers, event.url.origin)
	) {
		return new Response('Trellis accepts changes only from its own pages.', {
			status: 403,
			headers: { 'content-type': 'text/plain; charset=utf-8' }
		});
	}
	return resolve(event);
};

/** Routes that are endpoints (+server.ts) rather than pages, by route id: they answer JSON, not redirects. */
const endpointRoutes = new Set(
	Object.keys(import.meta.glob('/src/routes/**/+server.ts')).map(
		(file) => file.slice('/src/routes'.length, -'/+server.ts'.length) || '/'
	)
);

/** All a therapist who has given only her password may reach: the second-factor steps and sign-out. */
const BEFORE_SECOND_FACTOR = new Set([
	'/login/totp',
	'/login/totp/setup',
	'/login/recovery',
	'/logout',
	'/healthz'
]);

/**
 * The two-factor rule, in one place every request passes: until a therapist's session has passed
 * the second factor, no page, action or endpoint but those above answers it. Route guards
 * (`requireTherapist`) stay as a second line.
 */
const requireSecondFactor: Handle = async ({ event, resolve }) => {
	const { user, session } = event.locals;
	if (!user || !session || user.role !== 'therapist' || session.two_factor_verified) {
		return resolve(event);
	}
	const path = event.url.pathname.replace(/\/+$/, '') || '/';
	if (BEFORE_SECOND_FACTOR.has(path)) return resolve(event);
	const next = user.hasTotp ? '/login/totp' : '/login/totp/setup';
	if (event.route.id && endpointRoutes.has(event.route.id)) {
		return json(
			{
				ok: false,
				error: { code: 'two-factor-required', message: 'Finish two-factor sign-in first.' }
			},
			{ status: 401, headers: { 'cache-control': 'no-store' } }
		);
	}
	redirect(303, next);
};

export const handle = sequence(
	securityHeaders,
	limitBody,
	checkOrigin,
	authenticate,
	requireSecondFactor
);

export const handleError: HandleServerError = ({ error, status, message }) => {
	const id = crypto.randomUUID().slice(0, 8);
	if (status >= 500) {
		// The error's message may quote a query; log it server-side only, never send it to the user.
		console.error(`[error ${id}]`, error instanceof Error ? error.message : 'unknown error');
		return { message: 'Something went wrong on our side. Please try again.', id };
	}
	return { message, id };
};
