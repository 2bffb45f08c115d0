// Runs a TypeScript task module (default export) through Vite's SSR loader, so $lib and import.meta.glob work.
// Usage: node src/lib/server/tasks/run.js src/lib/server/tasks/migrate.ts [args...]
import { createServer } from 'vite';

const [file, ...args] = process.argv.slice(2);
if (!file) {
	console.error('Usage: node src/lib/server/tasks/run.js <task module> [args...]');
	process.exit(2);
}

const vite = await createServer({
	server: { middlewareMode: true, hmr: false, ws: false },
	appType: 'custom',
	logLevel: 'error',
	optimizeDeps: { noDiscovery: true, include: [] }
});
let code;
try {
	const task = await vite.ssrLoadModule(`/${file}`);
	code = (await task.default(args)) ?? 0;
} catch (error) {
	console.error(error instanceof Error ? error.message : String(error));
	code = 1;
} finally {
	await vite.close();
}
process.exit(code);
