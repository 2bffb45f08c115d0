// The hand-written chart SVG against the LayerChart component it replaced (TrendChart.svelte): the
// same lines, markers and axis ticks, to a hundredth of a pixel.
import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import TrendChart from './TrendChart.svelte';
import { chartSvg, timeTicks } from './charts.server';
import type { ChartInput } from './chart-input';

const weeks = (count: number, from = Date.UTC(2026, 0, 1)) =>
	Array.from({ length: count }, (_, i) => new Date(from + i * 7 * 86_400_000).toISOString());

const numbers = (text: string) => (text.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);

const attr = (tag: string, name: string) => tag.match(new RegExp(` ${name}="([^"]*)"`))?.[1] ?? '';

/** What the eye reads off a chart: each line's path, the markers, and the ticks with their places. */
function picture(svg: string) {
	const lines = [...svg.matchAll(/<path [^>]*>/g)]
		.map((m) => m[0])
		.flatMap((tag) => {
			const series = attr(tag, 'class').match(/trend-line-(\d)/)?.[1];
			const d = attr(tag, 'd');
			return series ? [{ series, points: numbers(d), breaks: (d.match(/M/g) ?? []).length }] : [];
		});
	const markers = [...svg.matchAll(/<circle [^>]*>/g)].map((m) => [
		Number(attr(m[0], 'cx')),
		Number(attr(m[0], 'cy'))
	]);
	const ticks = [...svg.matchAll(/(<tspan [^>]*>)([^<]*)</g)].map((m) => [
		Number(attr(m[1], 'x')),
		m[2]
	]);
	return { lines, markers, ticks };
}

function expectClose(actual: unknown, expected: unknown) {
	if (typeof expected === 'number') return expect(actual as number).toBeCloseTo(expected, 1);
	if (Array.isArray(expected)) {
		expect((actual as unknown[]).length).toBe(expected.length);
		return expected.forEach((e, i) => expectClose((actual as unknown[])[i], e));
	}
	if (expected && typeof expected === 'object') {
		for (const [key, value] of Object.entries(expected))
			expectClose((actual as Record<string, unknown>)[key], value);
		return;
	}
	expect(actual).toBe(expected);
}

const cases: [string, ChartInput][] = [
	[
		'a year of two partners with gaps and a band',
		{
			dates: weeks(52),
			series: [
				{ label: 'A', values: weeks(52).map((_, i) => (i % 5 === 3 ? null : 40 + ((i * 7) % 30))) },
				{ label: 'B', values: weeks(52).map((_, i) => 50 + ((i * 11) % 25)) }
			],
			band: { low: 40, high: 70 }
		}
	],
	[
		'five weeks of one series, with markers',
		{ dates: weeks(5), series: [{ label: 'A', values: [10, 20, null, 40, 50] }] }
	],
	[
		'twelve months of agreement',
		{
			dates: Array.from({ length: 12 }, (_, i) =>
				new Date(Date.UTC(2025, 3 + i, 15)).toISOString()
			),
			series: [
				{ label: 'Rated the same', values: [50, 60, 55, 70, 80, 75, 65, 90, 85, 80, 95, 100] }
			]
		}
	],
	[
		'three days',
		{
			dates: ['2026-03-01', '2026-03-02', '2026-03-04'],
			series: [
				{ label: 'A', values: [0, 100, 50] },
				{ label: 'B', values: [25, null, 75] }
			]
		}
	]
];

describe('trend charts drawn on the server', () => {
	for (const [name, input] of cases) {
		it(`draws ${name} as LayerChart did`, () => {
			const reference = render(TrendChart, { props: input }).body;
			const drawn = chartSvg(input);
			expect(drawn.startsWith('<div class="trend-chart"><svg viewBox="0 0 640 220"')).toBe(true);
			expectClose(picture(drawn), picture(reference));
			expect(picture(drawn).lines.length).toBe(input.series.length);
		});
	}

	it('ticks a year by quarters and a month by Sundays, as d3 does', () => {
		const day = (iso: string) => Date.parse(iso);
		const label = (t: number) => new Date(t).toISOString().slice(0, 10);
		expect(timeTicks(day('2026-01-01'), day('2026-12-24'), 4).map(label)).toEqual([
			'2026-01-01',
			'2026-04-01',
			'2026-07-01',
			'2026-10-01'
		]);
		expect(timeTicks(day('2026-01-01'), day('2026-01-29'), 4).map(label)).toEqual([
			'2026-01-04',
			'2026-01-11',
			'2026-01-18',
			'2026-01-25'
		]);
	});
});
