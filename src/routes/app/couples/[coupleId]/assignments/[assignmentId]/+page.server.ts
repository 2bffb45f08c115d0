import { error, fail } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/guards';
import * as assignments from '$lib/server/assignments';
import * as results from '$lib/server/results';
import * as reminders from '$lib/server/reminders';
import * as outbox from '$lib/server/outbox';
import type { Actions, PageServerLoad } from './$types';

async function contextFor(locals: App.Locals, coupleId: string, assignmentId: string) {
	const { user } = requireTherapist(locals);
	const context = await assignments.loadContext(db(), user, assignmentId);
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
		const formData = await request.formData().catch(() => null);
		const partnerId = String(formData?.get('partnerId') ?? '');
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
