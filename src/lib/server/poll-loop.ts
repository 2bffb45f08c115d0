// A background loop inside the server process: runs its tick, waits the interval (or until woken),
// and stops cleanly, awaiting the tick in flight, before the database is closed at shutdown.

export interface PollLoop {
	/** Runs the next tick now instead of at the end of the interval. */
	wake(): void;
	stop(): Promise<void>;
}

/** The name and code of an error only: a database error's message can quote the values it refused. */
export function describeError(error: unknown): string {
	if (!(error instanceof Error)) return typeof error;
	const code = 'code' in error && typeof error.code === 'string' ? ` (${error.code})` : '';
	return `${error.name}${code}`;
}

export function startPollLoop(
	name: string,
	tick: () => Promise<unknown>,
	intervalMs: number
): PollLoop {
	let isStopped = false;
	let isWoken = false;
	let resume: (() => void) | null = null;
	const running = (async () => {
		while (!isStopped) {
			isWoken = false;
			try {
				await tick();
			} catch (error) {
				console.error(`[${name}] tick failed: ${describeError(error)}`);
			}
			if (isStopped) break;
			if (isWoken) continue;
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, intervalMs);
				// The loop alone must never keep a stopping process alive.
				timer.unref();
				resume = () => {
					clearTimeout(timer);
					resolve();
				};
			});
			resume = null;
		}
	})();
	return {
		wake() {
			isWoken = true;
			resume?.();
		},
		async stop() {
			isStopped = true;
			resume?.();
			await running;
		}
	};
}
