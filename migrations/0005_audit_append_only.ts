// The audit log refuses UPDATE and DELETE for every role that does not own the table's triggers.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await sql`
		create function audit_log_append_only() returns trigger language plpgsql as $$
		begin
			raise exception 'audit_log is append-only: rows cannot be changed or removed';
		end
		$$`.execute(db);
	await sql`
		create trigger audit_log_append_only before update or delete on audit_log
		for each row execute function audit_log_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop trigger audit_log_append_only on audit_log`.execute(db);
	await sql`drop function audit_log_append_only()`.execute(db);
}
