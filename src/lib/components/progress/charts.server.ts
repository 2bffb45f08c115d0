// Charts rendered to SVG on the server: pages show the picture without shipping the charting library
// to the browser (the partners' pages stay small). The SVG holds only numbers and dates, never text
// a person typed, so it is safe to insert as markup.
import { formatDayMonth } from '$lib/dates';
import {
	CHART_PADDING,
	CHART_SIZE,
	SERIES_STYLES,
	Y_TICKS,
	type ChartInput,
	type ChartedTrend
} from './chart-input';
import { seriesLabels, type AgreementPoint, type ExerciseTrend } from '$lib/progress/trends';

export type { ChartedMeasure, ChartedTrend } from './chart-input';

/**
 * Drawing a chart takes several milliseconds and a couple page has ten or so, while the numbers
 * change at most when someone answers: drawings are kept by their input (numbers and dates only),
 * least recently used first out.
 */
const drawn = new Map<string, string>();
const DRAWN_LIMIT = 1000;

export function chartSvg(input: ChartInput, timeZone: string): string {
	// Series labels are not drawn (the legend is separate), so they stay out of the key.
	const key = JSON.stringify([
		input.dates,
		input.series.map((s) => s.values),
		input.band ?? null,
		timeZone
	]);
	const hit = drawn.get(key);
	if (hit !== undefined) {
		drawn.delete(key);
		drawn.set(key, hit);
		return hit;
	}
	const svg = draw(input, timeZone);
	drawn.set(key, svg);
	if (drawn.size > DRAWN_LIMIT) drawn.delete(drawn.keys().next().value!);
	return svg;
}

// The picture is written straight to SVG: rendering a LayerChart component on the server cost about
// 5 ms a chart and a couple page's Progress section draws ten or so, while this takes a few hundredths
// of a millisecond. The band of usual variation is one rectangle instead of a path through every date.
const PLOT_W = CHART_SIZE.width - CHART_PADDING.left - CHART_PADDING.right;
const PLOT_H = CHART_SIZE.height - CHART_PADDING.top - CHART_PADDING.bottom;

/** Coordinates to a hundredth of a pixel, without trailing zeros. */
const n = (value: number) => String(Math.round(value * 100) / 100);

function draw(input: ChartInput, timeZone: string): string {
	const xTicks = ticksOf(input.dates);
	const times = input.dates.map((date) => Date.parse(date));
	const first = times[0] ?? 0;
	const span = (times.at(-1) ?? first) - first;
	const x = (t: number) => (span === 0 ? PLOT_W / 2 : ((t - first) / span) * PLOT_W);
	const xs = times.map(x);
	const y = (value: number) => PLOT_H - (value / 100) * PLOT_H;
	const { width, height } = CHART_SIZE;
	const parts: string[] = [
		`<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><g transform="translate(${CHART_PADDING.left}, ${CHART_PADDING.top})">`
	];
	if (input.band && xs.length > 0) {
		const [left, right] = [n(xs[0]), n(xs.at(-1)!)];
		const [high, low] = [n(y(input.band.high)), n(y(input.band.low))];
		parts.push(
			`<path d="M${left},${high}L${right},${high}L${right},${low}L${left},${low}Z" fill="#e7e5e4" stroke="none" opacity="0.7"></path>`
		);
	}
	// Grid and tick marks only: their labels are HTML beside the drawing (axisLabels).
	for (const tick of Y_TICKS) {
		const at = n(y(tick));
		parts.push(`<line class="lc-axis-grid" x1="0" y1="${at}" x2="${PLOT_W}" y2="${at}"></line>`);
	}
	for (const date of xTicks) {
		const at = n(x(Date.parse(date)));
		parts.push(
			`<line class="lc-axis-tick" x1="${at}" y1="${PLOT_H}" x2="${at}" y2="${PLOT_H + 4}"></line>`
		);
	}
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
					`<circle cx="${n(xs[i])}" cy="${n(y(value))}" r="3.5" fill="${stroke}"></circle>`
				);
		});
	});
	parts.push('</g></svg>');
	return `<div class="trend-chart"><div class="trend-plot">${parts.join('')}${axisLabels(input.dates, xTicks, timeZone)}</div></div>`;
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

/** Up to four dates to mark, spread over the points: the first, the last and between. */
function ticksOf(dates: string[]): string[] {
	if (dates.length <= 4) return dates;
	return [0, 1, 2, 3].map((k) => dates[Math.round((k * (dates.length - 1)) / 3)]);
}

const percent = (n: number) => `${Math.round(n * 10000) / 100}%`;

/**
 * The axis labels as HTML placed over the drawing's edges, in percent of its box: text inside an
 * SVG shrinks with it (to about 4 px on a phone), HTML text keeps the page's size.
 */
function axisLabels(dates: string[], xTicks: string[], timeZone: string): string {
	const { width, height } = CHART_SIZE;
	const { left, right, top, bottom } = CHART_PADDING;
	const y = Y_TICKS.map((value) => {
		const at = (top + (1 - value / 100) * (height - top - bottom)) / height;
		return `<span class="tick-y" style="top:${percent(at)}">${value}</span>`;
	});
	const first = Date.parse(dates[0]);
	const span = Date.parse(dates[dates.length - 1]) - first;
	const x = xTicks.map((date, i) => {
		const share = span === 0 ? 0.5 : (Date.parse(date) - first) / span;
		const at = (left + share * (width - left - right)) / width;
		const edge = xTicks.length > 1 && i === 0 ? ' start' : i === xTicks.length - 1 ? ' end' : '';
		return `<span class="tick-x${edge}" style="left:${percent(at)}">${formatDayMonth(date, timeZone)}</span>`;
	});
	return [...y, ...x].join('');
}

/**
 * Each measure of each trend with its chart; `names` labels the series in the couple's order. A
 * series with no value at all is left out of the chart, the legend and the table, and named in
 * `missing` instead.
 */
export function chartTrends(
	trends: ExerciseTrend[],
	names: string[],
	timeZone: string
): ChartedTrend[] {
	return trends.map((trend) => ({
		...trend,
		measures: trend.measures.map((measure) => {
			const all = seriesLabels(measure, names).map((label, i) => ({
				label,
				values: measure.points.map((p) => p.values[i]),
				beyond: measure.points.map((p) => p.beyond[i] ?? false)
			}));
			const series = all.filter((s) => s.values.some((v) => v !== null));
			const missing = all.filter((s) => !series.includes(s)).map((s) => s.label);
			const dates = measure.points.map((p) => p.date);
			return {
				...measure,
				series,
				missing,
				chart: chartSvg({ dates, series, band: measure.band }, timeZone)
			};
		})
	}));
}

/** The share of scenarios rated the same over time, in percent; null with fewer than two points. */
export function agreementChart(points: AgreementPoint[], timeZone: string): string | null {
	if (points.length < 2) return null;
	return chartSvg(
		{
			dates: points.map((p) => p.date),
			series: [
				{
					label: 'Rated the same',
					values: points.map((p) => (p.rate === null ? null : Math.round(p.rate * 100)))
				}
			]
		},
		timeZone
	);
}
