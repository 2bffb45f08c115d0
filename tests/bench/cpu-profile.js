// Loaded into the server by `npm run bench:pages -- --profile DIR` (NODE_OPTIONS=--import): samples the
// CPU while the server runs and writes a .cpuprofile (open it in Chrome DevTools) when it is stopped.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const file = process.env.TRELLIS_CPU_PROFILE;
if (file) {
	const session = new Session();
	session.connect();
	session.post('Profiler.enable');
	session.post('Profiler.start');
	// Ahead of server.js's own handler; an in-process inspector session answers synchronously.
	process.prependListener('SIGTERM', () => {
		session.post('Profiler.stop', (error, result) => {
			if (!error) writeFileSync(file, JSON.stringify(result.profile));
		});
	});
}
