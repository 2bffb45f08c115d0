import { afterEach, describe, expect, it } from 'vitest';
import { createHistogram } from 'node:perf_hooks';
import { recordStage, timingStages } from './stage-timings';

const key = '__trellisStageTimings';

afterEach(() => {
	delete (globalThis as Record<string, unknown>)[key];
});

describe('stage timings', () => {
	it('record nothing unless a benchmark put its histograms out', () => {
		expect(timingStages()).toBe(false);
		expect(() => recordStage('statement', 2.5)).not.toThrow();
	});

	it('record durations in microseconds and counts as they are, into the stage named', () => {
		const statement = createHistogram();
		const batchSize = createHistogram();
		(globalThis as Record<string, unknown>)[key] = { statement, batchSize };
		expect(timingStages()).toBe(true);
		recordStage('statement', 2.5);
		recordStage('batchSize', 7, 'count');
		recordStage('queued', 1); // a stage with no histogram is skipped
		expect(statement.count).toBe(1);
		// 2.5 ms, kept in microseconds (a histogram keeps three significant digits).
		expect(statement.max).toBeGreaterThanOrEqual(2495);
		expect(statement.max).toBeLessThanOrEqual(2505);
		expect(batchSize.max).toBe(7);
	});
});
