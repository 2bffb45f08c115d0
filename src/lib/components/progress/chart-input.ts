// What a trend chart draws, and how each series looks (shared by the chart and its legend).
import type { ExerciseTrend, Measure } from '$lib/progress/trends';

/**
 * A measure with its chart already drawn on the server (charts.server.ts), as markup, and the
 * series that have any value: a partner with no scores gets no line, legend entry or column.
 */
export type ChartedMeasure = Measure & {
	chart: string;
	series: { label: string; values: (number | null)[]; beyond: boolean[] }[];
	/** Series with no value at all, named so the page can say whose scores are missing. */
	missing: string[];
};
export type ChartedTrend = Omit<ExerciseTrend, 'measures'> & { measures: ChartedMeasure[] };
export interface ChartInput {
	/** ISO dates, one per point. */
	dates: string[];
	/** One or two series of 0-100 values, null where there is none. */
	series: { label: string; values: (number | null)[] }[];
	band?: { low: number; high: number } | null;
	/** The dates the bottom axis marks (labels are drawn as HTML beside the SVG, see charts.server.ts). */
	xTicks?: string[];
}

export const CHART_SIZE = { width: 520, height: 220 };
/** Room inside the drawing; axis labels sit outside it, in HTML, so they keep their size on a phone. */
export const CHART_PADDING = { left: 4, bottom: 4, top: 8, right: 12 };
export const Y_TICKS = [0, 25, 50, 75, 100];

/** Colour and dash differ, so the lines tell apart without colour too. */
export const SERIES_STYLES = [
	{ stroke: '#335a4c', dash: undefined },
	{ stroke: '#8a3f73', dash: '6 4' }
] as const;
