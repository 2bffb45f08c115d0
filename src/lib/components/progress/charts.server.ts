// Charts rendered to SVG on the server: pages show the picture without shipping the charting library
// to the browser (the partners' pages stay small). The SVG holds only numbers and dates, never text
// a person typed, so it is safe to insert as markup.
import { CHART_SIZE, SERIES_STYLES, type ChartInput, type ChartedTrend } from './chart-input';
import { seriesLabels, type AgreementPoint, type ExerciseTrend } from '$lib/progress/trends';

export type { ChartedMeasure, ChartedTrend } from './chart-input';

/**
 * Drawing a chart takes several milliseconds and a couple page has ten or so, while the numbers
 * change at most when someone answers: drawings are kept by their input (numbers and dates only),
 * least recently used first out.
 */
const drawn = new Map<string, string>();
const DRAWN_LIMIT = 1000;

export function chartSvg(input: ChartInput): string {
	// Series labels are not drawn (the legend is separate), so they stay out of the key.
	const key = JSON.stringify([input.dates, input.series.map((s) => s.values), input.band ?? null]);
	const hit = drawn.get(key);
	if (hit !== undefined) {
		drawn.delete(key);
		drawn.set(key, hit);
		return hit;
	}
	const svg = draw(input);
	drawn.set(key, svg);
	if (drawn.size > DRAWN_LIMIT) drawn.delete(drawn.keys().next().value!);
	return svg;
}

// The picture TrendChart.svelte (LayerChart) draws, written straight to SVG: rendering the component
// on the server cost about 5 ms a chart and a couple page draws ten or so on its first view, while
// this takes a few hundredths of a millisecond. charts.server.test.ts holds the two to the same lines,
// markers and ticks. The band of usual variation is one rectangle instead of a path through every date.
const PAD = { left: 32, top: 8, right: 12, bottom: 24 };
const PLOT_W = CHART_SIZE.width - PAD.left - PAD.right;
const PLOT_H = CHART_SIZE.height - PAD.top - PAD.bottom;
const Y_TICKS = [0, 25, 50, 75, 100];
const tickFormat = new Intl.DateTimeFormat('en', {
	day: 'numeric',
	month: 'short',
	timeZone: 'UTC'
});

/** Coordinates to a hundredth of a pixel, without trailing zeros. */
const n = (value: number) => String(Math.round(value * 100) / 100);

function draw(input: ChartInput): string {
	const times = input.dates.map((date) => new Date(date).getTime());
	const first = times[0] ?? 0;
	const span = (times.at(-1) ?? first) - first;
	const x = (t: number) => (span === 0 ? PLOT_W / 2 : ((t - first) / span) * PLOT_W);
	const xs = times.map(x);
	const y = (value: number) => PLOT_H - (value / 100) * PLOT_H;
	const { width, height } = CHART_SIZE;
	const parts: string[] = [
		`<div class="trend-chart"><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><g transform="translate(${PAD.left}, ${PAD.top})">`
	];
	if (input.band && xs.length > 0) {
		const [left, right] = [n(xs[0]), n(xs.at(-1)!)];
		const [high, low] = [n(y(input.band.high)), n(y(input.band.low))];
		parts.push(
			`<path d="M${left},${high}L${right},${high}L${right},${low}L${left},${low}Z" fill="#e7e5e4" stroke="none" opacity="0.7"></path>`
		);
	}
	parts.push('<g>');
	for (const tick of Y_TICKS) {
		const at = n(y(tick));
		parts.push(
			`<g><g><line class="lc-axis-grid" x1="0" y1="${at}" x2="${PLOT_W}" y2="${at}"></line></g><line class="lc-axis-tick" x1="0" y1="${at}" x2="-4" y2="${at}"></line><svg x="-4" y="0"><text x="0" y="${at}" text-anchor="end" dominant-baseline="auto"><tspan x="0" dy="3.5">${tick}</tspan></text></svg></g>`
		);
	}
	parts.push('</g><g>');
	if (times.length > 0) {
		for (const tick of timeTicks(first, first + span, 4)) {
			const at = n(x(tick));
			parts.push(
				`<g><line class="lc-axis-tick" x1="${at}" y1="${PLOT_H}" x2="${at}" y2="${PLOT_H + 4}"></line><svg x="0" y="6"><text x="${at}" y="${PLOT_H}" text-anchor="middle" dominant-baseline="auto"><tspan x="${at}" dy="7">${tickFormat.format(tick)}</tspan></text></svg></g>`
			);
		}
	}
	parts.push('</g>');
	const [a, b] = input.series.map((s) => s.values);
	if (input.series.length === 2) {
		// The gap between the two series, where both have a value.
		const areas = runs(xs.length, (i) => a[i] != null && b[i] != null).map((run) => {
			const top = run.map((i) => `${n(xs[i])},${n(y(b[i]!))}`);
			const bottom = run.map((i) => `${n(xs[i])},${n(y(a[i]!))}`).reverse();
			return `M${[...top, ...bottom].join('L')}Z`;
		});
		if (areas.length)
			parts.push(`<path d="${areas.join('')}" fill="#c6dbd1" stroke="none" opacity="0.55"></path>`);
	}
	// Markers help read a few points; past a few months the line says it better.
	const hasMarkers = input.dates.length <= 16;
	input.series.forEach((series, index) => {
		const { stroke } = SERIES_STYLES[index];
		const line = runs(xs.length, (i) => series.values[i] != null)
			.map((run) => {
				const points = run.map((i) => `${n(xs[i])},${n(y(series.values[i]!))}`);
				return `M${points.join('L')}${points.length === 1 ? 'Z' : ''}`;
			})
			.join('');
		parts.push(
			`<path d="${line}" fill="none" stroke="${stroke}" class="trend-line-${index}"></path>`
		);
		if (!hasMarkers) return;
		series.values.forEach((value, i) => {
			if (value != null)
				parts.push(
					`<circle cx="${n(xs[i])}" cy="${n(y(value))}" r="3.5" fill="${stroke}" opacity="1"></circle>`
				);
		});
	});
	parts.push('</g></svg></div>');
	return parts.join('');
}

/** The indexes 0…length-1 where `defined` holds, in unbroken runs. */
function runs(length: number, defined: (i: number) => boolean): number[][] {
	const out: number[][] = [];
	let current: number[] = [];
	for (let i = 0; i < length; i++) {
		if (defined(i)) current.push(i);
		else if (current.length) {
			out.push(current);
			current = [];
		}
	}
	if (current.length) out.push(current);
	return out;
}

const DAY = 86_400_000;
type Interval = { every: 'day' | 'week' | 'month' | 'year'; step: number; ms: number };
/** What a time axis ticks by, as d3's time scale picks it for a span of days or more. */
const INTERVALS: Interval[] = [
	{ every: 'day', step: 1, ms: DAY },
	{ every: 'day', step: 2, ms: 2 * DAY },
	{ every: 'week', step: 1, ms: 7 * DAY },
	{ every: 'month', step: 1, ms: 30 * DAY },
	{ every: 'month', step: 3, ms: 90 * DAY },
	{ every: 'year', step: 1, ms: 365 * DAY }
];

function intervalFor(start: number, stop: number, count: number): Interval {
	const target = (stop - start) / count;
	const after = INTERVALS.findIndex((interval) => interval.ms > target);
	if (after === 0) return INTERVALS[0];
	if (after > 0) {
		const [below, above] = [INTERVALS[after - 1], INTERVALS[after]];
		return target / below.ms < above.ms / target ? below : above;
	}
	const years = target / (365 * DAY);
	const power = 10 ** Math.floor(Math.log10(years));
	const error = years / power;
	const factor =
		error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
	return { every: 'year', step: Math.max(1, Math.round(power * factor)), ms: 365 * DAY };
}

/** About `count` round dates (UTC midnights) from start to stop, as d3-scale's time ticks choose them. */
export function timeTicks(start: number, stop: number, count: number): number[] {
	const pick = intervalFor(start, stop, count);
	const ticks: number[] = [];
	const day = new Date(start);
	day.setUTCHours(0, 0, 0, 0);
	if (day.getTime() < start) day.setUTCDate(day.getUTCDate() + 1);
	for (; day.getTime() <= stop; day.setUTCDate(day.getUTCDate() + 1)) {
		const date = day.getUTCDate();
		const month = day.getUTCMonth();
		const matches =
			pick.every === 'day'
				? (date - 1) % pick.step === 0
				: pick.every === 'week'
					? day.getUTCDay() === 0
					: pick.every === 'month'
						? date === 1 && month % pick.step === 0
						: date === 1 && month === 0 && day.getUTCFullYear() % pick.step === 0;
		if (matches) ticks.push(day.getTime());
	}
	return ticks;
}

/** Each measure of each trend with its chart; `names` labels the series in the couple's order. */
export function chartTrends(trends: ExerciseTrend[], names: string[]): ChartedTrend[] {
	return trends.map((trend) => ({
		...trend,
		measures: trend.measures.map((measure) => ({
			...measure,
			chart: chartSvg({
				dates: measure.points.map((p) => p.date),
				series: seriesLabels(measure, names).map((label, i) => ({
					label,
					values: measure.points.map((p) => p.values[i])
				})),
				band: measure.band
			})
		}))
	}));
}

/** The share of scenarios rated the same over time, in percent; null with fewer than two points. */
export function agreementChart(points: AgreementPoint[]): string | null {
	if (points.length < 2) return null;
	return chartSvg({
		dates: points.map((p) => p.date),
		series: [
			{
				label: 'Rated the same',
				values: points.map((p) => (p.rate === null ? null : Math.round(p.rate * 100)))
			}
		]
	});
}
