// What every section of a couple's page (work, progress, record) loads first: the couple, checked to
// be the therapist's own, its assignments and the summary at the top.
import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import * as couples from '$lib/server/couples';
import * as homework from '$lib/server/homework';
import * as coupleSummary from '$lib/server/couple-summary';

export async function ownCouple(locals: App.Locals, coupleId: string) {
	const { user } = requireTherapist(locals);
	const couple = await couples.getForTherapist(db(), user.id, coupleId);
	// Another therapist's couple and a couple that does not exist look the same.
	if (!couple) error(404, 'There is no such couple in your practice.');
	return { user, couple };
}

export async function loadSection(locals: App.Locals, coupleId: string) {
	const { user, couple } = await ownCouple(locals, coupleId);
	const assignments = await homework.summaries(db(), { coupleId: couple.id });
	const summary = await coupleSummary.forCouple(db(), couple, assignments);
	return { user, couple, assignments, summary };
}
