// A couple's schedules: the list (the couple page shows the same) and the therapist's changes to them.
// Every change redirects back to the couple page; a refused one is shown here with its reason.
import { error, fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import { parseForm, readFormData } from '$lib/server/forms';
import * as couples from '$lib/server/couples';
import * as schedules from '$lib/server/schedules';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

async function ownCouple(locals: App.Locals, coupleId: string) {
	const { user } = requireTherapist(locals);
	const couple = await couples.getForTherapist(db(), user.id, coupleId);
	// Another therapist's couple and a couple that does not exist look the same.
	if (!couple) error(404, 'There is no such couple in your practice.');
	return { user, couple };
}

const ScheduleForm = v.object({
	scheduleId: v.pipe(v.string('Choose a schedule.'), v.uuid('Choose a schedule.'))
});
const DayForm = v.object({
	scheduleId: v.pipe(v.string('Choose a schedule.'), v.uuid('Choose a schedule.')),
	dueDay: v.pipe(
		v.string('Choose the new day.'),
		v.regex(/^\d{1,2}$/, 'Choose the new day.'),
		v.transform(Number)
	)
});
const RemindersForm = v.object({
	automatic: v.picklist(['on', 'off'], 'Choose whether reminders go automatically.')
});

type Who = Parameters<typeof schedules.pause>[1];

/** Parse → authorize → change → back to the couple page; the reason on this page when refused. */
async function changeSchedule<TSchema extends typeof ScheduleForm | typeof DayForm>(
	event: RequestEvent,
	schema: TSchema,
	change: (who: Who, form: v.InferOutput<TSchema>) => Promise<schedules.ChangeResult>
) {
	const { user, couple } = await ownCouple(event.locals, event.params.coupleId);
	const formData = await readFormData(event.request);
	const parsed = formData ? parseForm(formData, schema) : null;
	if (!parsed?.ok) {
		return fail(400, { message: 'Choose a schedule and what to change, then try again.' });
	}
	const who = {
		therapistId: user.id,
		coupleId: couple.id,
		scheduleId: parsed.data.scheduleId,
		ip: event.getClientAddress()
	};
	const result = await change(who, parsed.data as v.InferOutput<TSchema>);
	if (!result.ok) return fail(result.status, { message: result.message });
	redirect(303, `/app/couples/${couple.id}#schedules`);
}

export const load = (async ({ locals, params }) => {
	const { couple } = await ownCouple(locals, params.coupleId);
	return {
		couple: { id: couple.id, label: couple.label, archived: couple.archivedAt !== null },
		schedules: await schedules.forCouple(db(), couple.id),
		autoReminders: await schedules.autoRemindersOn(db(), couple.id)
	};
}) satisfies PageServerLoad;

export const actions = {
	pause: (event) => changeSchedule(event, ScheduleForm, (who) => schedules.pause(db(), who)),
	resume: (event) => changeSchedule(event, ScheduleForm, (who) => schedules.resume(db(), who)),
	stop: (event) => changeSchedule(event, ScheduleForm, (who) => schedules.stop(db(), who)),
	version: (event) =>
		changeSchedule(event, ScheduleForm, (who) => schedules.useNewestVersion(db(), who)),
	day: (event) =>
		changeSchedule(event, DayForm, (who, form) => schedules.changeDay(db(), who, form.dueDay)),
	reminders: async ({ locals, params, request, getClientAddress }) => {
		const { user, couple } = await ownCouple(locals, params.coupleId);
		const formData = await readFormData(request);
		const parsed = formData ? parseForm(formData, RemindersForm) : null;
		if (!parsed?.ok) {
			return fail(400, { message: 'Choose whether reminders go automatically, then save.' });
		}
		const isOn = parsed.data.automatic === 'on';
		await schedules.setAutoReminders(db(), user.id, couple.id, isOn, getClientAddress());
		redirect(303, `/app/couples/${couple.id}#schedules`);
	}
} satisfies Actions;
