import { error, fail } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { readForm } from '$lib/server/forms';
import { id } from '$lib/input';
import { requireTherapist } from '$lib/server/auth/guards';
import * as roomContext from '$lib/server/rooms/context';
import * as homework from '$lib/server/homework';
import * as results from '$lib/server/rooms/results';
import { sendReminder } from '$lib/server/reminder-email';
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
		const sent = await homework.nudge(db(), context, partnerId);
		if (!sent.ok) return fail(400, { nudge: { partnerId, message: sent.message } });
		const people = await db()
			.selectFrom('users')
			.select(['id', 'email', 'display_name'])
			.where('id', 'in', [partnerId, context.actor.userId])
			.execute();
		const partner = people.find((p) => p.id === partnerId)!;
		const therapist = people.find((p) => p.id === context.actor.userId)!;
		const emailed = await sendReminder({
			to: partner.email,
			partnerName: partner.display_name,
			therapistName: therapist.display_name,
			link: `${url.origin}/c/assignments/${context.assignment.id}`
		});
		if (emailed === 'sent') await homework.markEmailed(db(), sent.id);
		const how = emailed === 'sent' ? 'on their home page and by email' : 'on their home page';
		return {
			nudge: { partnerId, message: `Reminder sent. ${partner.display_name} will see it ${how}.` }
		};
	}
} satisfies Actions;
