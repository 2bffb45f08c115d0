// Before the integration projects: make sure there is a production build for the server-level tests.
import { existsSync } from 'node:fs';
import path from 'node:path';

export default function setup() {
	const root = path.resolve(import.meta.dirname, '../..');
	if (!existsSync(path.join(root, 'build/handler.js'))) {
		throw new Error(
			'Integration tests need the production build: run `npm run build` first (npm test does).'
		);
	}
}
