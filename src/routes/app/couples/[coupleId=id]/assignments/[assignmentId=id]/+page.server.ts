import { randomUUID } from 'node:crypto';
import { error, fail } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { readForm } from '$lib/server/forms';
import { id } from '$lib/input';
import { requireTherapist } from '$lib/server/auth/guards';
import * as roomContext from '$lib/server/rooms/context';
import * as results from '$lib/server/rooms/results';
import * as reminders from '$lib/server/reminders';
import * as outbox from '$lib/server/outbox';
import * as control from '$lib/server/rooms/control';
import { broadcast } from '$lib/server/rooms/publish';
import { revealsWhenBothLock } from '$lib/server/rooms/visibility';
import type { Actions, PageServerLoad } from './$types';

const RevealForm = v.object({
	sectionId: v.pipe(
		v.string('Choose the section to reveal. Reload the page and try again.'),
		v.maxLength(100, 'Choose the section to reveal. Reload the page and try again.')
	)
});

const NudgeForm = v.object({
	partnerId: id('Choose which partner to remind. Reload the page and try again.')
});

async function contextFor(locals: App.Locals, coupleId: string, assignmentId: string) {
	const { user } = requireTherapist(locals);
	const context = await roomContext.loadContext(db(), user, assignmentId);
	if (!context || context.coupleId !== coupleId)
		error(404, 'There is no such assignment, or it is not yours.');
	return context;
}

export const load = (async ({ locals, params }) => {
	const context = await contextFor(locals, params.coupleId, params.assignmentId);
	return {
		couple: { id: context.coupleId, label: context.coupleLabel },
		assignmentId: context.assignment.id,
		results: await results.forAssignment(db(), context),
		// Held for the session: the sections both partners have locked wait here for her reveal.
		heldForSession: !revealsWhenBothLock(context.assignment),
		reveals: revealsWhenBothLock(context.assignment)
			? []
			: await control.revealStates(db(), context)
	};
}) satisfies PageServerLoad;

export const actions = {
	/** "Reveal now": a section of homework held for the session, shown to both partners (audited). */
	reveal: async ({ locals, params, request }) => {
		const context = await contextFor(locals, params.coupleId, params.assignmentId);
		const parsed = await readForm(request, RevealForm);
		if (!parsed.ok)
			return fail(400, { reveal: { sectionId: '', ok: false, message: parsed.message } });
		const { sectionId } = parsed.data;
		const result = await control.revealHeld(db(), context, {
			opId: `reveal-${randomUUID()}`,
			sectionId
		});
		if (!result.ok) {
			return fail(400, { reveal: { sectionId, ok: false, message: result.error.message } });
		}
		// Partners with the homework or the room open see it now; the others when they next look.
		broadcast(context, result.events);
		const title = context.definition.sections.find((s) => s.id === sectionId)?.title ?? '';
		return {
			reveal: {
				sectionId,
				ok: true,
				message: `Revealed. Both partners now see their answers to “${title}” side by side.`
			}
		};
	},
	nudge: async ({ locals, params, request, url }) => {
		const context = await contextFor(locals, params.coupleId, params.assignmentId);
		const parsed = await readForm(request, NudgeForm);
		if (!parsed.ok) return fail(400, { nudge: { partnerId: '', message: parsed.message } });
		const { partnerId } = parsed.data;
		const sent = await reminders.nudge(db(), context, partnerId, url.origin);
		if (!sent.ok) return fail(400, { nudge: { partnerId, message: sent.message } });
		outbox.wake();
		const partner = context.members.find((m) => m.userId === partnerId)!;
		const how = sent.emailId ? 'on their home page; an email is on its way' : 'on their home page';
		return {
			nudge: { partnerId, message: `Reminder sent. ${partner.name} will see it ${how}.` }
		};
	}
} satisfies Actions;
