// The layering rules of docs/architecture.md, read from the files on disk so a new file is covered
// the day it is added: the server never imports components, and routes ask domain modules instead
// of writing queries.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = path.join(dir, name);
		if (statSync(full).isDirectory()) return filesUnder(full, keep);
		return keep(full) ? [full] : [];
	});
}

const relative = (file: string) => path.relative(root, file);

describe('layers', () => {
	it('no server module imports a Svelte component', () => {
		const server = filesUnder(path.join(root, 'src/lib/server'), (f) => f.endsWith('.ts'));
		expect(server.length).toBeGreaterThan(50);
		const offenders = server.filter((file) =>
			/from\s+['"](\$lib\/components\/|[^'"]*\.svelte['"])/.test(readFileSync(file, 'utf8'))
		);
		expect(offenders.map(relative)).toEqual([]);
	});

	it('no route writes a query: each asks the domain module that holds the rule', () => {
		const routes = filesUnder(path.join(root, 'src/routes'), (f) =>
			/\+(page|layout)\.server\.ts$|\+server\.ts$|\.server\.ts$/.test(f)
		);
		expect(routes.length).toBeGreaterThan(20);
		const offenders = routes.filter((file) =>
			/\.(selectFrom|updateTable|insertInto|deleteFrom)\(/.test(readFileSync(file, 'utf8'))
		);
		expect(offenders.map(relative)).toEqual([]);
	});
});
