// Session notes: drafts that autosave, signing (locked, with a content hash), signed addenda, and
// psychotherapy notes only their author sees. Bodies are stored encrypted; every read and write is audited.
import { sha256 } from '@oslojs/crypto/sha2';
import { calendarDay } from '$lib/dates';
import * as timeZones from './auth/time-zone';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { sql, type Kysely, type Updateable } from 'kysely';
import type { Database, NotesTable } from './db/schema';
import * as audit from './audit';
import * as couples from './couples';
import { isId } from '$lib/input';
import { openColumns, sealColumns, type Keyring } from './crypto/keyring';

export type NoteKind = 'progress' | 'psychotherapy';
export type Template = 'soap' | 'dap' | 'birp' | 'free';

/** The fields each template asks for, in order. */
/** A template's fields, each stored under its label in lower case. */
function named(...labels: string[]) {
	return labels.map((label) => ({ id: label.toLowerCase(), label }));
}

export const TEMPLATES: Record<
	Template,
	{ label: string; fields: { id: string; label: string }[] }
> = {
	soap: { label: 'SOAP', fields: named('Subjective', 'Objective', 'Assessment', 'Plan') },
	dap: { label: 'DAP', fields: named('Data', 'Assessment', 'Plan') },
	birp: { label: 'BIRP', fields: named('Behavior', 'Intervention', 'Response', 'Plan') },
	free: { label: 'Free text', fields: [{ id: 'text', label: 'Note' }] }
};

export type NoteBody = Record<string, string>;

export interface Actor {
	userId: string;
	ip?: string | null;
}

export interface NoteSummary {
	id: string;
	kind: NoteKind;
	template: Template;
	sessionDate: string;
	isSigned: boolean;
	updatedAt: Date;
}

export interface Note extends NoteSummary {
	coupleId: string;
	body: NoteBody;
	contentHash: string | null;
	signedAt: Date | null;
	addenda: { id: string; text: string; signedAt: Date; contentHash: string }[];
}

/** Runs in the caller's transaction when there is one (the demo seed), else in a new one. */
function inTransaction<T>(
	db: Kysely<Database>,
	work: (trx: Kysely<Database>) => Promise<T>
): Promise<T> {
	return db.isTransaction ? work(db) : db.transaction().execute(work);
}

const hash = (text: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(text)));

function cleanBody(template: Template, input: Record<string, unknown>): NoteBody {
	const body: NoteBody = {};
	for (const field of TEMPLATES[template].fields) {
		const value = input[field.id];
		body[field.id] = typeof value === 'string' ? value.slice(0, 20_000) : '';
	}
	return body;
}

/** The note's session date as its calendar day (`YYYY-MM-DD`), never shifted by a time zone. */
export const sessionDay = sql<string>`notes.session_date::text`.as('session_day');

/** A note the actor may read: their couple's progress notes, and psychotherapy notes they wrote. */
async function readable(db: Kysely<Database>, actor: Actor, noteId: string) {
	if (!isId(noteId)) return null;
	const row = await db
		.selectFrom('notes')
		.innerJoin('couples', 'couples.id', 'notes.couple_id')
		.selectAll('notes')
		.select(sessionDay)
		.where('notes.id', '=', noteId)
		.where('couples.therapist_id', '=', actor.userId)
		.executeTakeFirst();
	if (!row) return null;
	if (row.kind === 'psychotherapy' && row.author_id !== actor.userId) return null;
	return row;
}

export async function createDraft(
	db: Kysely<Database>,
	keyring: Keyring,
	actor: Actor,
	input: {
		coupleId: string;
		kind: NoteKind;
		template: Template;
		sessionDate: string;
		body?: Record<string, unknown>;
	}
): Promise<string | null> {
	if (!(await couples.isTherapistOf(db, actor.userId, input.coupleId))) return null;
	return inTransaction(db, async (trx) => {
		const id = crypto.randomUUID();
		const sealed = sealColumns(
			keyring,
			id,
			JSON.stringify(cleanBody(input.template, input.body ?? {}))
		);
		await trx
			.insertInto('notes')
			.values({
				id,
				couple_id: input.coupleId,
				author_id: actor.userId,
				kind: input.kind,
				template: input.template,
				session_date: input.sessionDate,
				...sealed
			})
			.execute();
		await audit.record(trx, {
			actorId: actor.userId,
			action: 'note.created',
			targetType: 'note',
			targetId: id,
			coupleId: input.coupleId,
			ip: actor.ip,
			detail: { kind: input.kind, template: input.template }
		});
		return id;
	});
}

export type WriteOutcome = { ok: true } | { ok: false; reason: 'not-found' | 'signed' };

/**
 * Changes a note that is not signed yet, and audits it, in one transaction. The `signed_at is null`
 * guard is in the UPDATE itself, so a note signed in between is never changed.
 */
function changeUnsigned(
	db: Kysely<Database>,
	actor: Actor,
	note: { id: string; couple_id: string },
	change: { set: Updateable<NotesTable>; action: string; detail?: Record<string, unknown> }
): Promise<WriteOutcome> {
	return inTransaction(db, async (trx) => {
		const updated = await trx
			.updateTable('notes')
			.set(change.set)
			.where('id', '=', note.id)
			.where('signed_at', 'is', null)
			.executeTakeFirst();
		if (Number(updated.numUpdatedRows) === 0) return { ok: false, reason: 'signed' } as const;
		await audit.record(trx, {
			actorId: actor.userId,
			action: change.action,
			targetType: 'note',
			targetId: note.id,
			coupleId: note.couple_id,
			ip: actor.ip,
			detail: change.detail
		});
		return { ok: true } as const;
	});
}

/** Saves a draft's fields (autosave). A signed note is never changed. */
export async function saveDraft(
	db: Kysely<Database>,
	keyring: Keyring,
	actor: Actor,
	noteId: string,
	fields: Record<string, unknown>
): Promise<WriteOutcome> {
	const note = await readable(db, actor, noteId);
	if (!note) return { ok: false, reason: 'not-found' };
	if (note.signed_at) return { ok: false, reason: 'signed' };
	const sealed = sealColumns(keyring, noteId, JSON.stringify(cleanBody(note.template, fields)));
	return changeUnsigned(db, actor, note, {
		set: { ...sealed, updated_at: new Date() },
		action: 'note.draft-saved'
	});
}

/** Signs a draft: locked from now on, with the hash of its content, the signer and the time. */
export async function sign(
	db: Kysely<Database>,
	keyring: Keyring,
	actor: Actor,
	noteId: string
): Promise<WriteOutcome> {
	const note = await readable(db, actor, noteId);
	if (!note) return { ok: false, reason: 'not-found' };
	if (note.signed_at) return { ok: false, reason: 'signed' };
	const plaintext = openColumns(keyring, noteId, note);
	const contentHash = hash(plaintext);
	return changeUnsigned(db, actor, note, {
		set: { signed_at: new Date(), signed_by: actor.userId, content_hash: contentHash },
		action: 'note.signed',
		detail: { contentHash }
	});
}

/** Adds a signed addendum to a signed note: the only way to change the record afterwards. */
export async function addAddendum(
	db: Kysely<Database>,
	keyring: Keyring,
	actor: Actor,
	noteId: string,
	text: string
): Promise<WriteOutcome | { ok: false; reason: 'unsigned' | 'empty' }> {
	const note = await readable(db, actor, noteId);
	if (!note) return { ok: false, reason: 'not-found' };
	if (!note.signed_at) return { ok: false, reason: 'unsigned' };
	const body = text.trim().slice(0, 20_000);
	if (!body) return { ok: false, reason: 'empty' };
	const id = crypto.randomUUID();
	const sealed = sealColumns(keyring, id, body);
	await inTransaction(db, async (trx) => {
		await trx
			.insertInto('note_addenda')
			.values({
				id,
				note_id: noteId,
				author_id: actor.userId,
				...sealed,
				content_hash: hash(body),
				signed_at: new Date()
			})
			.execute();
		await audit.record(trx, {
			actorId: actor.userId,
			action: 'note.addendum-signed',
			targetType: 'note',
			targetId: noteId,
			coupleId: note.couple_id,
			ip: actor.ip
		});
	});
	return { ok: true };
}

/** Reads one note with its addenda (audited), or null for anyone who may not (answer 404). */
export async function get(
	db: Kysely<Database>,
	keyring: Keyring,
	actor: Actor,
	noteId: string
): Promise<Note | null> {
	const note = await readable(db, actor, noteId);
	if (!note) return null;
	const addenda = await db
		.selectFrom('note_addenda')
		.selectAll()
		.where('note_id', '=', noteId)
		.orderBy('signed_at')
		.execute();
	await audit.record(db, {
		actorId: actor.userId,
		action: note.kind === 'psychotherapy' ? 'note.psychotherapy-viewed' : 'note.viewed',
		targetType: 'note',
		targetId: noteId,
		coupleId: note.couple_id,
		ip: actor.ip
	});
	return {
		id: note.id,
		coupleId: note.couple_id,
		kind: note.kind,
		template: note.template,
		sessionDate: note.session_day,
		isSigned: note.signed_at !== null,
		updatedAt: note.updated_at,
		body: JSON.parse(openColumns(keyring, note.id, note)),
		contentHash: note.content_hash,
		signedAt: note.signed_at,
		addenda: addenda.map((a) => ({
			id: a.id,
			text: openColumns(keyring, a.id, a),
			signedAt: a.signed_at,
			contentHash: a.content_hash
		}))
	};
}

/** The couple's notes the actor may see, without their contents. */
export async function list(
	db: Kysely<Database>,
	actor: Actor,
	coupleId: string
): Promise<NoteSummary[] | null> {
	if (!(await couples.isTherapistOf(db, actor.userId, coupleId))) return null;
	const rows = await db
		.selectFrom('notes')
		.select(['id', 'kind', 'template', 'signed_at', 'updated_at'])
		.select(sessionDay)
		.where('couple_id', '=', coupleId)
		.where((eb) => eb.or([eb('kind', '=', 'progress'), eb('author_id', '=', actor.userId)]))
		.orderBy('session_date', 'desc')
		.orderBy('created_at', 'desc')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		kind: r.kind,
		template: r.template,
		sessionDate: r.session_day,
		isSigned: r.signed_at !== null,
		updatedAt: r.updated_at
	}));
}

/**
 * Re-encrypts every note, addendum and safety acknowledgement note (sealed the same way, by row id)
 * under the keyring's current key; returns how many rows moved.
 */
export async function rotate(db: Kysely<Database>, keyring: Keyring): Promise<number> {
	let moved = 0;
	for (const table of ['notes', 'note_addenda', 'safety_ack_notes'] as const) {
		const rows = await db
			.selectFrom(table)
			.select(['id', 'key_id', 'nonce', 'ciphertext'])
			.where('key_id', '!=', keyring.currentId)
			.execute();
		for (const row of rows) {
			await db
				.updateTable(table)
				.set(sealColumns(keyring, row.id, openColumns(keyring, row.id, row)))
				.where('id', '=', row.id)
				.where('key_id', '=', row.key_id)
				.execute();
			moved += 1;
		}
	}
	return moved;
}

/**
 * The therapist's notes beside a live room: one free-text draft per assignment, created on the first
 * save, a progress note of that session until she signs it on the notes page.
 */
export async function saveRoomNotes(
	db: Kysely<Database>,
	keyring: Keyring,
	actor: Actor,
	room: { assignmentId: string; coupleId: string },
	text: string
): Promise<WriteOutcome> {
	const existing = await db
		.selectFrom('notes')
		.select('id')
		.where('assignment_id', '=', room.assignmentId)
		.where('author_id', '=', actor.userId)
		.executeTakeFirst();
	if (existing) return saveDraft(db, keyring, actor, existing.id, { text });
	const id = await createDraft(db, keyring, actor, {
		coupleId: room.coupleId,
		kind: 'progress',
		template: 'free',
		// Today on the therapist's clock: the session is hers.
		sessionDate: calendarDay(new Date(), await timeZones.zoneOf(db, actor.userId)),
		body: { text }
	});
	if (!id) return { ok: false, reason: 'not-found' };
	await db
		.updateTable('notes')
		.set({ assignment_id: room.assignmentId })
		.where('id', '=', id)
		.execute();
	return { ok: true };
}

/** The room's draft text and its note id, for the therapist who wrote it (audited like any note view). */
export async function roomNotes(
	db: Kysely<Database>,
	keyring: Keyring,
	actor: Actor,
	assignmentId: string
): Promise<{ noteId: string; text: string; isSigned: boolean } | null> {
	const row = await db
		.selectFrom('notes')
		.selectAll()
		.where('assignment_id', '=', assignmentId)
		.where('author_id', '=', actor.userId)
		.executeTakeFirst();
	if (!row) return null;
	const body = JSON.parse(openColumns(keyring, row.id, row));
	return { noteId: row.id, text: body.text ?? '', isSigned: row.signed_at !== null };
}

export interface SignedNote {
	id: string;
	template: Template;
	sessionDate: string;
	signedAt: Date;
	contentHash: string;
	body: NoteBody;
	addenda: { id: string; text: string; signedAt: Date; contentHash: string }[];
}

/**
 * A couple's signed progress notes with their signed addenda, decrypted, oldest session first: what an
 * export carries. Never a psychotherapy note, never a draft. Not audited here: the export that asks
 * for them records one `couple.exported` row covering the whole read. Null when the couple is not
 * the actor's.
 */
export async function signedProgressNotes(
	db: Kysely<Database>,
	keyring: Keyring,
	actor: Actor,
	coupleId: string
): Promise<SignedNote[] | null> {
	if (!(await couples.isTherapistOf(db, actor.userId, coupleId))) return null;
	const rows = await db
		.selectFrom('notes')
		.selectAll()
		.select(sessionDay)
		.where('couple_id', '=', coupleId)
		.where('kind', '=', 'progress')
		.where('signed_at', 'is not', null)
		.orderBy('session_date')
		.orderBy('signed_at')
		.execute();
	if (rows.length === 0) return [];
	const addenda = await db
		.selectFrom('note_addenda')
		.selectAll()
		.where(
			'note_id',
			'in',
			rows.map((r) => r.id)
		)
		.orderBy('signed_at')
		.execute();
	return rows.map((note) => ({
		id: note.id,
		template: note.template,
		sessionDate: note.session_day,
		signedAt: note.signed_at!,
		contentHash: note.content_hash ?? '',
		body: JSON.parse(openColumns(keyring, note.id, note)),
		addenda: addenda
			.filter((a) => a.note_id === note.id)
			.map((a) => ({
				id: a.id,
				text: openColumns(keyring, a.id, a),
				signedAt: a.signed_at,
				contentHash: a.content_hash
			}))
	}));
}
