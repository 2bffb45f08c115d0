import { describe, expect, it } from 'vitest';
import type { ExerciseTrend } from '$lib/progress/trends';
import { agreementChart, chartTrends } from './charts.server';

const point = (date: string, values: (number | null)[]) => ({
	assignmentId: date,
	date,
	values,
	beyond: values.map(() => false)
});

const trend = (points: ReturnType<typeof point>[]): ExerciseTrend => ({
	exercise: 'built-in:check-in',
	title: 'Check-in',
	measures: [{ id: 'trust', label: 'Trust', band: null, points }]
});

describe('charts drawn on the server', () => {
	it('leaves out a partner with no scores and names them instead', () => {
		const [charted] = chartTrends(
			[
				trend([
					point('2026-03-01T12:00:00Z', [40, null]),
					point('2026-03-08T12:00:00Z', [55, null])
				])
			],
			['Alex', 'Sam'],
			'UTC'
		);
		const [measure] = charted.measures;
		expect(measure.series.map((s) => s.label)).toEqual(['Alex']);
		expect(measure.missing).toEqual(['Sam']);
		expect(measure.chart).toContain('trend-line-0');
		expect(measure.chart).not.toContain('trend-line-1');
	});

	it('keeps both partners when each has a score somewhere', () => {
		const [charted] = chartTrends(
			[
				trend([
					point('2026-03-01T12:00:00Z', [40, null]),
					point('2026-03-08T12:00:00Z', [null, 60])
				])
			],
			['Alex', 'Sam'],
			'UTC'
		);
		expect(charted.measures[0].series.map((s) => s.label)).toEqual(['Alex', 'Sam']);
		expect(charted.measures[0].missing).toEqual([]);
	});

	it('writes the axis labels as HTML in the viewer’s time zone', () => {
		// 03:00 UTC on 1 March is still 28 February in Los Angeles.
		const points = [
			point('2026-03-01T03:00:00Z', [40, 50]),
			point('2026-03-15T03:00:00Z', [50, 50])
		];
		const utc = chartTrends([trend(points)], ['Alex', 'Sam'], 'UTC')[0].measures[0].chart;
		const pacific = chartTrends([trend(points)], ['Alex', 'Sam'], 'America/Los_Angeles')[0]
			.measures[0].chart;
		expect(utc).toMatch(/<span class="tick-x start" style="left:[\d.]+%">Mar 1<\/span>/);
		expect(pacific).toMatch(/<span class="tick-x start" style="left:[\d.]+%">Feb 28<\/span>/);
		expect(utc).toContain('<span class="tick-y" style="top:3.64%">100</span>');
		// No text is drawn inside the SVG, where it would shrink with the chart.
		expect(utc.slice(utc.indexOf('<svg'), utc.indexOf('</svg>'))).not.toContain('<text');
	});

	it('draws no agreement line from a single time', () => {
		const once = [
			{
				assignmentId: 'a',
				title: 'Lines',
				date: '2026-03-01T12:00:00Z',
				rate: 0.5,
				kappa: 0.2,
				compared: 4
			}
		];
		expect(agreementChart(once, 'UTC')).toBeNull();
		expect(
			agreementChart(
				[...once, { ...once[0], assignmentId: 'b', date: '2026-03-08T12:00:00Z' }],
				'UTC'
			)
		).toContain('trend-line-0');
	});
});

describe('the drawing', () => {
	const weekly = (weeks: number, values: (w: number) => (number | null)[]) =>
		Array.from({ length: weeks }, (_, w) =>
			point(new Date(Date.UTC(2026, 0, 4 + 7 * w, 12)).toISOString(), values(w))
		);
	const drawingOf = (chart: string) => chart.slice(chart.indexOf('<svg'), chart.indexOf('</svg>'));

	it('draws one line per partner, the gap between them, and a marker per score while they are few', () => {
		const chart = chartTrends(
			[trend(weekly(4, (w) => [40 + w, 60 - w]))],
			['Alex', 'Sam'],
			'UTC'
		)[0].measures[0].chart;
		const svg = drawingOf(chart);
		expect(svg.match(/class="trend-line-\d"/g)).toEqual([
			'class="trend-line-0"',
			'class="trend-line-1"'
		]);
		expect(svg.match(/<circle /g)).toHaveLength(8);
		expect(svg.match(/fill="#c6dbd1"/g)).toHaveLength(1);
		expect(svg.match(/class="lc-axis-grid"/g)).toHaveLength(5);
		expect(svg.match(/class="lc-axis-tick"/g)).toHaveLength(4);
	});

	it('breaks a line where a score is missing and drops the markers past sixteen times', () => {
		const chart = chartTrends(
			[trend(weekly(20, (w) => [w === 10 ? null : 50, 50]))],
			['Alex', 'Sam'],
			'UTC'
		)[0].measures[0].chart;
		const svg = drawingOf(chart);
		const alex = /<path d="([^"]+)"[^>]*class="trend-line-0"/.exec(svg)![1];
		expect(alex.match(/M/g)).toHaveLength(2);
		expect(svg).not.toContain('<circle');
	});

	it('draws the band of usual variation as one rectangle', () => {
		const banded: ExerciseTrend = {
			...trend(weekly(6, () => [50, 55])),
			measures: [
				{
					...trend([]).measures[0],
					band: { low: 30, high: 70, baseline: 50, halfWidth: 20 },
					points: weekly(6, () => [50, 55])
				}
			]
		};
		const svg = drawingOf(chartTrends([banded], ['Alex', 'Sam'], 'UTC')[0].measures[0].chart);
		const band = /<path d="([^"]+)" fill="#e7e5e4"/.exec(svg)![1];
		expect(band.split('L')).toHaveLength(4);
	});
});
