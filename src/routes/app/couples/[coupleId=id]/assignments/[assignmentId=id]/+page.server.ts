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
import type { Actions, PageServerLoad } from './$types';

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
		results: await results.forAssignment(db(), context)
	};
}) satisfies PageServerLoad;

export const actions = {
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
