import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import * as progress from '$lib/server/progress';
import { agreementChart, chartTrends } from '$lib/components/progress/charts.server';
import { loadSection } from '../section.server';
import type { PageServerLoad } from './$types';

/** The progress section: trends, agreement and where the partners differ (an audited read of answers). */
export const load = (async ({ locals, params, getClientAddress }) => {
	const { user, couple, summary } = await loadSection(locals, params.coupleId);
	const coupleProgress = await progress.forTherapist(
		db(),
		{ userId: user.id, ip: getClientAddress() },
		couple.id
	);
	if (!coupleProgress) error(404, 'There is no such couple in your practice.');
	return {
		couple,
		summary,
		progress: {
			...coupleProgress,
			trends: chartTrends(coupleProgress.trends, coupleProgress.partners, user.timeZone),
			agreementChart: agreementChart(coupleProgress.agreement, user.timeZone)
		}
	};
}) satisfies PageServerLoad;
