// What a trend chart draws, and how each series looks (shared by the chart and its legend).
import type { ExerciseTrend, Measure } from '$lib/progress/trends';

/** A measure with its chart already drawn on the server (charts.server.ts), as SVG markup. */
export type ChartedMeasure = Measure & { chart: string };
export type ChartedTrend = Omit<ExerciseTrend, 'measures'> & { measures: ChartedMeasure[] };
export interface ChartInput {
	/** ISO dates, one per point. */
	dates: string[];
	/** One or two series of 0-100 values, null where there is none. */
	series: { label: string; values: (number | null)[] }[];
	band?: { low: number; high: number } | null;
	/** The viewer's zone, for the dates on the axis (UTC when not given). */
	timeZone?: string;
}

export const CHART_SIZE = { width: 640, height: 220 };

/** Colour and dash differ, so the lines tell apart without colour too. */
export const SERIES_STYLES = [
	{ stroke: '#335a4c', dash: undefined },
	{ stroke: '#8a3f73', dash: '6 4' }
] as const;
