import { db } from '$lib/server/db';
import { requirePartner } from '$lib/server/auth/guards';
import * as couples from '$lib/server/couples';
import * as homework from '$lib/server/homework';
import * as progress from '$lib/server/progress';
import { agreementChart, chartTrends } from '$lib/components/progress/charts.server';
import type { PageServerLoad } from './$types';

export const load = (async ({ locals }) => {
	const { user } = requirePartner(locals);
	const memberships = await couples.activeForPartner(db(), user.id);
	const views = await Promise.all(
		memberships.map(async ({ id }) => {
			const view = await progress.forPartner(db(), user.id, id);
			const agreements = view?.isVisible ? await homework.agreements(db(), id) : [];
			if (!view) return null;
			return {
				...view,
				trends: chartTrends(view.trends, ['You'], user.timeZone),
				agreementChart: agreementChart(view.agreement, user.timeZone),
				agreements
			};
		})
	);
	return { couples: views.filter((c) => c !== null) };
}) satisfies PageServerLoad;
