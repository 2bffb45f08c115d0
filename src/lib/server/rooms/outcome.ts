// What a room command answers: a committed write with its events, or a refusal with a stable code.
import type { ErrorCode } from '$lib/realtime/events';
import type { StoredEvent } from './events';

export type Failure = { ok: false; error: { code: ErrorCode; message: string } };
export type Outcome<T extends object = object> = ({ ok: true } & T) | Failure;

/** A committed write: its events (to broadcast after commit) and the ack for the writer. */
export type WriteResult<T extends object = object> =
	({ ok: true; seq: number; events: StoredEvent[]; replayed: boolean } & T) | Failure;

export function failure(code: ErrorCode, message: string): Failure {
	return { ok: false, error: { code, message } };
}
