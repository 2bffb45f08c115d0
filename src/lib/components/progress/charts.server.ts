// Charts rendered to SVG on the server: pages show the picture without shipping the charting library
// to the browser (the partners' pages stay small). The SVG holds only numbers and dates, never text
// a person typed, so it is safe to insert as markup.
import { render } from 'svelte/server';
import TrendChart from '$lib/components/progress/TrendChart.svelte';
import type { ChartInput, ChartedTrend } from './chart-input';
import { seriesLabels, type AgreementPoint, type ExerciseTrend } from '$lib/progress/trends';
import { DEFAULT_TIME_ZONE } from '$lib/dates';

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
	const key = JSON.stringify([
		input.dates,
		input.series.map((s) => s.values),
		input.band ?? null,
		input.timeZone ?? DEFAULT_TIME_ZONE
	]);
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

function draw(input: ChartInput): string {
	const { body } = render(TrendChart, { props: input });
	return `<div class="trend-chart">${slim(body)}</div>`;
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
 * Each measure of each trend with its chart; `names` labels the series in the couple's order, and
 * the axis dates are on the viewer's clock.
 */
export function chartTrends(
	trends: ExerciseTrend[],
	names: string[],
	timeZone: string = DEFAULT_TIME_ZONE
): ChartedTrend[] {
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
				band: measure.band,
				timeZone
			})
		}))
	}));
}

/** The share of scenarios rated the same over time, in percent; null with fewer than two points. */
export function agreementChart(
	points: AgreementPoint[],
	timeZone: string = DEFAULT_TIME_ZONE
): string | null {
	if (points.length < 2) return null;
	return chartSvg({
		dates: points.map((p) => p.date),
		series: [
			{
				label: 'Rated the same',
				values: points.map((p) => (p.rate === null ? null : Math.round(p.rate * 100)))
			}
		],
		timeZone
	});
}
