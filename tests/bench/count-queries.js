// Loaded into the server by `npm run bench:live -- --count-queries FILE` (NODE_OPTIONS=--import): counts
// every statement sent through `pg` (round trips, by the statement's first words) and the time each
// waited for its answer, and writes them as JSON when the server is stopped.
import { writeFileSync } from 'node:fs';
import pg from 'pg';

const file = process.env.TRELLIS_QUERY_COUNTS;
if (file) {
	/** @type {Map<string, {calls: number, ms: number}>} */
	const counts = new Map();
	// Patched untyped: the query method has many overloads and this wraps them all.
	const client = /** @type {any} */ (pg.Client.prototype);
	const original = client.query;
	/** @param {any} config @param {any} values @param {any} callback */
	client.query = function (config, values, callback) {
		const text = typeof config === 'string' ? config : (config?.text ?? '');
		const key = text.replace(/\s+/g, ' ').trim().slice(0, 70);
		const entry = counts.get(key) ?? { calls: 0, ms: 0 };
		counts.set(key, entry);
		entry.calls += 1;
		const started = performance.now();
		const done = () => (entry.ms += performance.now() - started);
		// The pool passes a callback (as the last argument); Kysely awaits the returned promise.
		if (typeof callback === 'function') {
			const cb = callback;
			callback = (/** @type {any[]} */ ...args) => (done(), cb(...args));
		} else if (typeof values === 'function') {
			const cb = values;
			values = (/** @type {any[]} */ ...args) => (done(), cb(...args));
		}
		const result = original.call(this, config, values, callback);
		if (result && typeof result.then === 'function') result.then(done, done);
		return result;
	};
	process.prependListener('SIGTERM', () => {
		const rows = [...counts].map(([text, e]) => ({ text, calls: e.calls, ms: Math.round(e.ms) }));
		rows.sort((a, b) => b.calls - a.calls);
		writeFileSync(file, JSON.stringify(rows, null, 1));
	});
}
