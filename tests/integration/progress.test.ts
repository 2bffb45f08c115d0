// Progress over time: what the therapist sees, what each partner may see of it, the switch for the
// partners' page, and recent activity on the therapist home. Against a real database with the demo.
import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { Database } from '$lib/server/db/schema';
import { seedDemo } from '$lib/server/demo/seed';
import * as activity from '$lib/server/activity';
import * as couples from '$lib/server/couples';
import * as homework from '$lib/server/homework';
import * as progress from '$lib/server/progress';
import { useTestDatabase } from '../helpers/database';
import { useApp } from '../helpers/app';
import { HttpClient } from '../helpers/http';

const database = useTestDatabase();
const DEMO_TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

async function demo(db: Kysely<Database>) {
	await seedDemo(db);
	const users = await db.selectFrom('users').select(['id', 'email']).execute();
	const id = (email: string) => users.find((u) => u.email === email)!.id;
	const couple = await db
		.selectFrom('couples')
		.select('id')
		.where('label', '=', 'Alex & Sam')
		.executeTakeFirstOrThrow();
	return {
		therapistId: id('therapist@trellis.test'),
		alexId: id('alex@trellis.test'),
		samId: id('sam@trellis.test'),
		coupleId: couple.id
	};
}

describe('the couple’s progress', () => {
	it('trends every repeated exercise for both partners and lists agreement over time', async () => {
		const { therapistId, coupleId } = await demo(database.db);
		const view = await progress.forTherapist(database.db, { userId: therapistId }, coupleId);
		expect(view?.partners).toEqual(['Alex', 'Sam']);
		const checkIn = view!.trends.find((t) => t.title === 'Weekly trust check-in');
		expect(checkIn?.measures.map((m) => m.id)).toEqual(
			expect.arrayContaining(['trust', 'security', 'connection'])
		);
		// Twelve weekly check-ins are complete; this week's is still open.
		expect(checkIn!.measures[0].points).toHaveLength(12);
		expect(checkIn!.measures[0].points.every((p) => p.values.length === 2)).toBe(true);
		expect(checkIn!.measures[0].band).not.toBeNull();
		expect(view!.agreement).toHaveLength(3);
		expect(view!.divergences.length).toBeGreaterThan(0);
		expect(view!.timeline.some((e) => e.kind === 'note' && e.state === 'signed')).toBe(true);
		expect(view!.timeline.some((e) => e.kind === 'live' && e.state === 'open')).toBe(true);
	});

	it('records the therapist’s look at the scores in the audit log', async () => {
		const { therapistId, coupleId } = await demo(database.db);
		await progress.forTherapist(database.db, { userId: therapistId, ip: '10.0.0.9' }, coupleId);
		const row = await database.db
			.selectFrom('audit_log')
			.select(['action', 'actor_id', 'couple_id', 'ip', 'detail'])
			.where('action', '=', 'responses.view')
			.executeTakeFirstOrThrow();
		expect(row).toMatchObject({
			actor_id: therapistId,
			couple_id: coupleId,
			ip: '10.0.0.9',
			detail: { view: 'progress' }
		});
	});

	it('leaves psychotherapy notes out of the timeline', async () => {
		const { therapistId, coupleId } = await demo(database.db);
		const view = await progress.forTherapist(database.db, { userId: therapistId }, coupleId);
		const psychotherapy = await database.db
			.selectFrom('notes')
			.select('id')
			.where('couple_id', '=', coupleId)
			.where('kind', '=', 'psychotherapy')
			.execute();
		expect(psychotherapy.length).toBeGreaterThan(0);
		const ids = new Set(view!.timeline.map((e) => e.id));
		expect(psychotherapy.some((n) => ids.has(n.id))).toBe(false);
	});
});

describe('a partner’s progress page', () => {
	it('holds only that partner’s own scores', async () => {
		const { therapistId, alexId, samId, coupleId } = await demo(database.db);
		const full = await progress.forTherapist(database.db, { userId: therapistId }, coupleId);
		for (const [index, userId] of [alexId, samId].entries()) {
			const mine = await progress.forPartner(database.db, userId, coupleId);
			expect(mine?.isVisible).toBe(true);
			expect(mine!.trends.length).toBeGreaterThan(0);
			for (const trend of mine!.trends) {
				const theirs = full!.trends.find((t) => t.exercise === trend.exercise)!;
				for (const measure of trend.measures) {
					if (measure.pair) {
						// A pair is one partner's two items: the therapist sees the same pair for this partner.
						const reference = theirs.measures.find(
							(m) => m.label === measure.label && m.pair?.partner === index
						)!;
						expect(measure.points).toEqual(reference.points);
						continue;
					}
					const reference = theirs.measures.find((m) => m.id === measure.id)!;
					expect(measure.points.map((p) => p.values)).toEqual(
						reference.points.map((p) => [p.values[index]])
					);
				}
			}
		}
	});

	it('shows agreement only where both partners’ answers were revealed to them', async () => {
		const { therapistId, alexId, coupleId } = await demo(database.db);
		const before = await progress.forPartner(database.db, alexId, coupleId);
		expect(before!.agreement).toHaveLength(3);
		const hidden = before!.agreement[0].assignmentId;
		await database.db.deleteFrom('section_reveals').where('assignment_id', '=', hidden).execute();

		const after = await progress.forPartner(database.db, alexId, coupleId);
		expect(after!.agreement.map((a) => a.assignmentId)).not.toContain(hidden);
		const therapist = await progress.forTherapist(database.db, { userId: therapistId }, coupleId);
		expect(therapist!.agreement.map((a) => a.assignmentId)).toContain(hidden);
	});

	it('is empty when the therapist turns it off, and only she can', async () => {
		const { therapistId, alexId, coupleId } = await demo(database.db);
		const stranger = await database.db
			.insertInto('users')
			.values({
				email: 'x@example.test',
				display_name: 'X',
				role: 'therapist',
				password_hash: null
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		expect(await couples.setProgressVisible(database.db, stranger.id, coupleId, false)).toBe(false);
		expect((await progress.forPartner(database.db, alexId, coupleId))?.isVisible).toBe(true);

		expect(await couples.setProgressVisible(database.db, therapistId, coupleId, false)).toBe(true);
		const off = await progress.forPartner(database.db, alexId, coupleId);
		expect(off).toMatchObject({ isVisible: false, trends: [], agreement: [] });
		const audited = await database.db
			.selectFrom('audit_log')
			.select('action')
			.where('action', 'like', 'couple.progress-%')
			.execute();
		expect(audited.map((a) => a.action)).toEqual(['couple.progress-hidden']);
	});

	it('is nothing at all for someone outside the couple', async () => {
		const { coupleId } = await demo(database.db);
		const jordan = await database.db
			.selectFrom('users')
			.select('id')
			.where('email', '=', 'jordan@trellis.test')
			.executeTakeFirstOrThrow();
		expect(await progress.forPartner(database.db, jordan.id, coupleId)).toBeNull();
	});
});

describe('the therapist’s work this week', () => {
	it('puts overdue homework first, then homework due within seven days and live rooms to run', async () => {
		const { therapistId } = await demo(database.db);
		const now = new Date();
		const open = await homework.summaries(database.db, { therapistId, onlyOpen: true });
		const work = homework.workThisWeek(open, now);
		expect(work.overdue.map((a) => a.title)).toContain('Forgiveness readiness');
		expect(work.overdue.every((a) => a.isOverdue)).toBe(true);
		const week = now.getTime() + 7 * 24 * 3600_000;
		expect(work.dueSoon.length).toBeGreaterThan(0);
		expect(work.dueSoon.every((a) => !a.isOverdue && a.dueAt!.getTime() <= week)).toBe(true);
		expect(work.live.map((a) => [a.coupleLabel, a.title])).toEqual([
			['Alex & Sam', 'Where is our line?']
		]);
		// Every open assignment lands in exactly one group, or is finished homework.
		const grouped = [...work.overdue, ...work.dueSoon, ...work.live, ...work.later];
		expect(new Set(grouped.map((a) => a.id)).size).toBe(grouped.length);
	});

	it('drops homework both partners have finished, even before it is closed', async () => {
		const { therapistId } = await demo(database.db);
		const open = await homework.summaries(database.db, { therapistId, onlyOpen: true });
		const target = homework.workThisWeek(open, new Date()).dueSoon[0];
		const finished = open.map((a) =>
			a.id === target.id
				? { ...a, partners: a.partners.map((p) => ({ ...p, status: 'locked' as const })) }
				: a
		);
		const work = homework.workThisWeek(finished, new Date());
		expect([...work.dueSoon, ...work.overdue, ...work.later].map((a) => a.id)).not.toContain(
			target.id
		);
	});
});

describe('recent activity on the therapist home', () => {
	it('counts each partner’s answers in the window, for the therapist’s own couples only', async () => {
		const { therapistId, coupleId } = await demo(database.db);
		const since = new Date(Date.now() - 14 * 24 * 3600_000);
		const recent = await activity.recent(database.db, therapistId, since);
		const expected = await database.db
			.selectFrom('responses as r')
			.innerJoin('assignments as a', 'a.id', 'r.assignment_id')
			.select((eb) => eb.fn.countAll<string>().as('n'))
			.where('a.couple_id', '=', coupleId)
			.where('r.updated_at', '>=', since)
			.executeTakeFirstOrThrow();
		const counted = recent
			.filter((r) => r.coupleId === coupleId)
			.reduce((sum, r) => sum + r.answers, 0);
		expect(counted).toBe(Number(expected.n));
		expect(counted).toBeGreaterThan(0);
		expect(recent.every((r) => r.lastAt.getTime() <= Date.now())).toBe(true);

		const stranger = await database.db
			.insertInto('users')
			.values({
				email: 'y@example.test',
				display_name: 'Y',
				role: 'therapist',
				password_hash: null
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		expect(await activity.recent(database.db, stranger.id, since)).toEqual([]);
	});
});

describe('over HTTP', () => {
	const app = useApp();

	it('shows the partner their progress page when it is on, and a plain notice when it is off', async () => {
		const therapist = await new HttpClient(app.server.url).signIn(
			'therapist@trellis.test',
			'trellis-demo-2026',
			DEMO_TOTP
		);
		const alex = await new HttpClient(app.server.url).signIn(
			'alex@trellis.test',
			'trellis-demo-2026'
		);
		const home = await (await therapist.get('/app')).text();
		const coupleId = home.match(/href="\/app\/couples\/([0-9a-f-]{36})">Alex &amp; Sam/)![1];

		// The couple page's progress section has its own address; the work section draws no charts.
		const workHtml = await (await therapist.get(`/app/couples/${coupleId}`)).text();
		expect(workHtml).not.toContain('data-testid="chart"');
		expect(workHtml).toContain('href="/app/couples/' + coupleId + '/progress"');
		const couplePage = await therapist.get(`/app/couples/${coupleId}/progress`);
		const html = await couplePage.text();
		expect(html).toContain('data-testid="chart"');
		// Axis labels are HTML beside the drawing, so they keep the page's text size on a phone.
		expect(html).toMatch(/<span class="tick-x[^"]*" style="left:[\d.]+%">\w{3} \d{1,2}<\/span>/);
		expect(html).toContain('Weekly trust check-in: Trust by date');
		expect(html).toContain('Structured discussion aid, not a validated instrument.');

		const on = await alex.get('/c/progress');
		expect(on.status).toBe(200);
		expect(on.headers.get('cache-control')).toContain('no-store');
		const onHtml = await on.text();
		expect(onHtml).toContain('Over the weeks');
		expect(onHtml).toContain('Weekly trust check-in: Trust by date');
		expect(onHtml).not.toContain('>Sam<');

		const hide = await therapist.postForm(`/app/couples/${coupleId}?/progress`, { visible: 'off' });
		expect(hide.status).toBeLessThan(400);
		const offHtml = await (await alex.get('/c/progress')).text();
		expect(offHtml).toContain('has not turned on the progress page');
		expect(offHtml).not.toContain('Weekly trust check-in: Trust by date');

		const bad = await therapist.postForm(`/app/couples/${coupleId}?/progress`, {
			visible: 'maybe'
		});
		expect(bad.status).toBe(400);
		await therapist.postForm(`/app/couples/${coupleId}?/progress`, { visible: 'on' });
		expect(await (await alex.get('/c/progress')).text()).toContain('Over the weeks');
	});
});
