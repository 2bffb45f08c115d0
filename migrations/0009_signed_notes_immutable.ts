// A signed note and every addendum stay as signed, whatever the application does: the database
// refuses to delete them or change anything but their encryption (key id, nonce, ciphertext), which
// `npm run notes:rotate` re-seals under a new key. Drafts remain editable.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await sql`
		create function signed_notes_immutable() returns trigger language plpgsql as $$
		begin
			if tg_table_name = 'notes' and old.signed_at is null then
				return case when tg_op = 'DELETE' then old else new end;
			end if;
			if tg_op = 'DELETE' then
				raise exception '% %: signed clinical notes cannot be deleted', tg_table_name, old.id;
			end if;
			if (to_jsonb(new) - array['key_id', 'nonce', 'ciphertext'])
				is distinct from (to_jsonb(old) - array['key_id', 'nonce', 'ciphertext']) then
				raise exception '% %: a signed note cannot be changed; add an addendum', tg_table_name, old.id;
			end if;
			return new;
		end
		$$`.execute(db);
	for (const table of ['notes', 'note_addenda']) {
		await sql`
			create trigger ${sql.id(`${table}_signed_immutable`)} before update or delete on ${sql.table(table)}
			for each row execute function signed_notes_immutable()`.execute(db);
	}
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of ['notes', 'note_addenda']) {
		await sql`drop trigger ${sql.id(`${table}_signed_immutable`)} on ${sql.table(table)}`.execute(
			db
		);
	}
	await sql`drop function signed_notes_immutable()`.execute(db);
}
