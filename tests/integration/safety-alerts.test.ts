// A safety answer alerts the therapist live, on her own sockets wherever she is in Trellis, and the
// partner is told truly which alert went; the other partner's frames carry nothing of it.
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerToClientEvents } from '$lib/realtime/events';
import { testExercise } from '../helpers/exercise-fixture';
import { connect, connected, opId, recorder, useLiveSetup } from '../helpers/live';
import type { Practice } from '../helpers/live';

const t = useLiveSetup(testExercise);

afterEach(() => {
	delete process.env.SMTP_URL;
});

/** The set-up's assignment, as homework: every section open to the partners. */
async function asHomework() {
	await t.database.db
		.updateTable('assignments')
		.set({ mode: 'homework', current_section_id: null })
		.where('id', '=', t.assignmentId)
		.execute();
	return t.assignmentId;
}

type SafetyAlert = Parameters<ServerToClientEvents['safety:alert']>[0];

/** A socket as a Trellis page opens it (joined to no room), keeping every safety alert it hears. */
async function openPage(who: Practice['alex']) {
	const socket = connect(t.server, who);
	t.sockets.push(socket);
	const alerts: SafetyAlert[] = [];
	const heard = new Promise<SafetyAlert>((resolve) =>
		socket.on('safety:alert', (alert) => {
			alerts.push(alert);
			resolve(alert);
		})
	);
	await connected(socket);
	return { socket, alerts, heard, events: recorder(socket) };
}

describe('a safety answer', () => {
	it('alerts the therapist’s open page with the flag, tells the partner so, and tells the other partner nothing', async () => {
		const assignmentId = await asHomework();
		const therapist = await openPage(t.practice.therapist);
		const sam = await openPage(t.practice.sam);
		expect((await sam.socket.emitWithAck('room:join', { assignmentId })).ok).toBe(true);
		const alex = await openPage(t.practice.alex);
		expect((await alex.socket.emitWithAck('room:join', { assignmentId })).ok).toBe(true);

		const saved = await alex.socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'unsafe',
			value: 'often'
		});
		expect(saved).toMatchObject({ ok: true, safety: true, alerted: 'live' });
		const flag = await t.database.db
			.selectFrom('safety_flags')
			.select('id')
			.executeTakeFirstOrThrow();
		expect(await therapist.heard).toEqual({ flagId: flag.id });

		// Sam's frames: a partner-answered at most, never the value, the flag or an alert.
		const samHeard = await sam.events.next((e) => e.itemId === 'unsafe');
		expect(samHeard).not.toHaveProperty('value');
		expect(sam.alerts).toEqual([]);
		expect(alex.alerts).toEqual([]);
		expect(JSON.stringify(sam.events.events)).not.toMatch(/often|safety|flag/);
	});

	it('says the therapist will see it at her next sign-in when no page of hers is open and no email is set up', async () => {
		const assignmentId = await asHomework();
		const alex = await openPage(t.practice.alex);
		expect((await alex.socket.emitWithAck('room:join', { assignmentId })).ok).toBe(true);
		const saved = await alex.socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'unsafe',
			value: 'often'
		});
		expect(saved).toMatchObject({ ok: true, safety: true, alerted: 'next-sign-in' });
		const calm = await alex.socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'unsafe',
			value: 'no'
		});
		expect(calm).toEqual({ ok: true, seq: expect.any(Number), safety: false });
	});

	it('says an email was sent when one is queued', async () => {
		process.env.SMTP_URL = 'smtp://127.0.0.1:9';
		const assignmentId = await asHomework();
		const alex = await openPage(t.practice.alex);
		expect((await alex.socket.emitWithAck('room:join', { assignmentId })).ok).toBe(true);
		const saved = await alex.socket.emitWithAck('answer:save', {
			opId: opId(),
			itemId: 'unsafe',
			value: 'often'
		});
		expect(saved).toMatchObject({ ok: true, safety: true, alerted: 'email' });
		const queued = await t.database.db.selectFrom('outbox').select('to_address').execute();
		expect(queued).toEqual([{ to_address: 't@example.test' }]);
	});
});
