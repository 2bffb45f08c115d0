// The build `npm start` runs first: one line before and one after instead of Vite's file tables.
// Warnings and errors still show (they go to stderr); when the build fails, all it printed is shown.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const vite = fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url));
const started = performance.now();
console.log('Building Trellis (up to a minute on a first start)…');

// process.execPath is the project's Node 24: npm puts node_modules/.bin first on PATH.
const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
	stdio: ['ignore', 'pipe', 'inherit']
});
let chatter = '';
child.stdout.on('data', (chunk) => (chatter += chunk));
const code = await new Promise((resolve) => child.once('close', resolve));

if (code !== 0) {
	process.stdout.write(chatter);
	console.error('The build failed; the messages above say why.');
	process.exit(typeof code === 'number' ? code : 1);
}
console.log(`Built in ${Math.round((performance.now() - started) / 1000)} s.`);
