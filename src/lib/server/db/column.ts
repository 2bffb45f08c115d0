// One column of one row found by its id: the small reads (a user's zone, a couple's label) that
// would otherwise each write the same four-line query.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from './schema';

/** The tables whose rows are read by `id` one column at a time. */
type ById = 'users' | 'couples';

/** The value of `column` in the row of `table` with this id; undefined when there is no such row. */
export async function columnOf<T extends ById, C extends keyof Selectable<Database[T]> & string>(
	db: Kysely<Database>,
	table: T,
	column: C,
	id: string
): Promise<Selectable<Database[T]>[C] | undefined> {
	// Written as SQL because Kysely's builder cannot type a select over a table chosen by a parameter.
	const { rows } = await sql<Pick<Selectable<Database[T]>, C>>`
		select ${sql.ref(column)} from ${sql.table(table)} where id = ${id}
	`.execute(db);
	return rows[0]?.[column];
}
