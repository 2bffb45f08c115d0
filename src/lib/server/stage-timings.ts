// Where a live save's time goes, for `bench:live` only: server.js puts histograms on globalThis when
// TRELLIS_REPORT_METRICS=1 and prints them with its other figures; otherwise nothing is recorded.
import type { RecordableHistogram } from 'node:perf_hooks';

export type Stage = 'queued' | 'statement' | 'batchSize' | 'handled';

const key = '__trellisStageTimings';

function histograms(): Partial<Record<Stage, RecordableHistogram>> | undefined {
	return (globalThis as Record<string, unknown>)[key] as
		Partial<Record<Stage, RecordableHistogram>> | undefined;
}

/** Records a duration in milliseconds (kept in microseconds) or a count, when a benchmark asks. */
export function recordStage(stage: Stage, value: number, unit: 'ms' | 'count' = 'ms') {
	const histogram = histograms()?.[stage];
	if (histogram) histogram.record(Math.max(1, Math.round(unit === 'ms' ? value * 1000 : value)));
}

/** Whether a benchmark is listening (so callers skip taking the time otherwise). */
export const timingStages = () => histograms() !== undefined;
