// Charts rendered to SVG on the server: pages show the picture without shipping the charting library
// to the browser (the partners' pages stay small). The SVG holds only numbers and dates, never text
// a person typed, so it is safe to insert as markup.
import { render } from 'svelte/server';
import TrendChart from '$lib/components/progress/TrendChart.svelte';
import { formatDayMonth } from '$lib/dates';
import {
	CHART_PADDING,
	CHART_SIZE,
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

function draw(input: ChartInput, timeZone: string): string {
	const xTicks = ticksOf(input.dates);
	const { body } = render(TrendChart, { props: { ...input, xTicks } });
	return `<div class="trend-chart"><div class="trend-plot">${slim(body)}${axisLabels(input.dates, xTicks, timeZone)}</div></div>`;
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

/** Classes the stylesheet draws with (.trend-chart in app.css); every other class is dropped. */
const STYLED = /^(lc-axis-grid|lc-axis-rule|lc-axis-tick|trend-line-\d)$/;

/**
 * Only the drawing, without what a live chart needs: LayerChart's positioning wrappers, hydration
 * markers, props echoed as attributes, unstyled classes, and coordinates finer than a hundredth of
 * a pixel. A chart of a year of weekly scores drops to about half its size.
 */
function slim(body: string): string {
	const start = body.indexOf('<svg viewBox');
	const end = body.lastIndexOf('</svg>') + '</svg>'.length;
	return body
		.slice(start, end)
		.replace(/<!--[^>]*-->/g, '')
		.replace(
			/ (value|textAnchor|verticalAnchor|capHeight|lineHeight|data-placement|role|style)="[^"]*"/g,
			''
		)
		.replace(/ transform=" "/g, '')
		.replace(/ class="([^"]*)"/g, (_, names: string) => {
			const kept = names.split(/\s+/).filter((name) => STYLED.test(name));
			return kept.length ? ` class="${kept.join(' ')}"` : '';
		})
		.replace(/(\.\d{2})\d+/g, '$1')
		.replace(/>\s+</g, '><')
		.replace('<defs></defs>', '');
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
