// The browser's connection to /live; the session cookie authenticates it.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from './events';
import { LIVE_NAMESPACE } from './events';

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connectLive(): LiveClient {
	return io(LIVE_NAMESPACE, { transports: ['websocket'], withCredentials: true });
}
