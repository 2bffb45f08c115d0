import { afterEach, describe, expect, it } from 'vitest';
import { io as connectClient, type Socket } from 'socket.io-client';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '$lib/server/demo/seed';
import { useApp } from '../helpers/app';
import { HttpClient } from '../helpers/http';

const app = useApp();
const open: Socket[] = [];

afterEach(() => {
	for (const socket of open.splice(0)) socket.disconnect();
});

function socketFor(client: HttpClient | null): Socket {
	const socket = connectClient(`${app.server.url}/live`, {
		transports: ['websocket'],
		extraHeaders: client ? { cookie: client.cookieHeader } : {},
		reconnection: false
	});
	open.push(socket);
	return socket;
}

function connected(socket: Socket): Promise<void> {
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve());
		socket.once('connect_error', reject);
	});
}

type Presence = { userId: string; coupleId: string; online: boolean };

/** Resolves with the first presence event (already heard, or still to come) about this user. */
function presenceOf(socket: Socket, heard: Presence[], userId: string, online: boolean) {
	return new Promise<Presence>((resolve) => {
		const match = (e: Presence) => e.userId === userId && e.online === online;
		const earlier = heard.find(match);
		if (earlier) return resolve(earlier);
		const listener = (event: Presence) => {
			if (!match(event)) return;
			socket.off('presence', listener);
			resolve(event);
		};
		socket.on('presence', listener);
	});
}

describe('the /live namespace', () => {
	it('refuses a socket without a session, with a clear error', async () => {
		const socket = socketFor(null);
		const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
		expect(error.message).toMatch(/^unauthenticated/);
	});

	it('refuses a therapist who has not finished two-factor sign-in', async () => {
		const client = new HttpClient(app.server.url);
		await client.postForm('/login', { email: 'therapist@trellis.test', password: DEMO_PASSWORD });
		const socket = socketFor(client);
		const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
		expect(error.message).toMatch(/two-factor/);
	});

	it('tells the members of a couple when one of them comes online and leaves', async () => {
		const therapist = await new HttpClient(app.server.url).signIn(
			'therapist@trellis.test',
			DEMO_PASSWORD,
			DEMO_TOTP_SECRET
		);
		const alex = await new HttpClient(app.server.url).signIn('alex@trellis.test', DEMO_PASSWORD);
		const jordan = await new HttpClient(app.server.url).signIn(
			'jordan@trellis.test',
			DEMO_PASSWORD
		);

		const therapistSocket = socketFor(therapist);
		await connected(therapistSocket);
		const jordanSocket = socketFor(jordan);
		await connected(jordanSocket);
		const jordanHeard: unknown[] = [];
		jordanSocket.on('presence', (event) => jordanHeard.push(event));

		const therapistHeard: { userId: string; coupleId: string; online: boolean }[] = [];
		therapistSocket.on('presence', (event) => therapistHeard.push(event));

		const alexSocket = socketFor(alex);
		const welcome = new Promise<{ userId: string; coupleIds: string[] }>((resolve) =>
			alexSocket.once('welcome', resolve)
		);
		const alexId = (await welcome).userId;
		const arrived = await presenceOf(therapistSocket, therapistHeard, alexId, true);
		expect(arrived.coupleId).toBe((await welcome).coupleIds[0]);

		const list = await alexSocket.emitWithAck('presence:list', { coupleId: arrived.coupleId });
		expect(list.ok).toBe(true);
		expect(list.online).toContain(arrived.userId);

		alexSocket.disconnect();
		expect(await presenceOf(therapistSocket, therapistHeard, alexId, false)).toEqual({
			...arrived,
			online: false
		});

		// Jordan belongs to another couple and hears nothing about Alex.
		expect(jordanHeard.filter((e) => (e as { userId: string }).userId === arrived.userId)).toEqual(
			[]
		);
	});

	it('answers a couple the user is not part of with not-found, and the socket stays usable', async () => {
		const alex = await new HttpClient(app.server.url).signIn('alex@trellis.test', DEMO_PASSWORD);
		const socket = socketFor(alex);
		await connected(socket);
		const refused = await socket.emitWithAck('presence:list', {
			coupleId: '00000000-0000-4000-8000-000000000000'
		});
		expect(refused).toEqual({
			ok: false,
			error: { code: 'not-found', message: 'No such couple.' }
		});
		expect(socket.connected).toBe(true);
	});

	it('disconnects the sockets of a session when it signs out', async () => {
		const sam = await new HttpClient(app.server.url).signIn('sam@trellis.test', DEMO_PASSWORD);
		const socket = socketFor(sam);
		await connected(socket);
		const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
		await sam.postForm('/logout', {});
		expect(await dropped).toBe('io server disconnect');
	});
});
