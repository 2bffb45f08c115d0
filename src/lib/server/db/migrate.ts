// Runs the Kysely migrations in /migrations; bundled through import.meta.glob so it works in dev, build and tests.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';

const modules = import.meta.glob<Migration>('/migrations/*.ts', { eager: true });

const provider: MigrationProvider = {
	async getMigrations() {
		const migrations: Record<string, Migration> = {};
		for (const [path, migration] of Object.entries(modules)) {
			const name = path.split('/').pop()!.replace(/\.ts$/, '');
			migrations[name] = migration;
		}
		return migrations;
	}
};

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
	// Name the schema: Kysely's existence check looks across all schemas, so another schema's
	// migration tables (tests, benchmarks) would otherwise be taken for this one's.
	const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
	const migrator = new Migrator({ db, provider, migrationTableSchema: rows[0].schema });
	const { error, results } = await migrator.migrateToLatest();
	if (error) {
		const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
		throw new Error(
			`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`
		);
	}
	return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
