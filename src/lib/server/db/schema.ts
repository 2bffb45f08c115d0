// Table types, written once from the migrations in /migrations (the migrations own the truth).
import type { SafetyAction } from '$lib/safety-actions';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<
	Date | null,
	Date | string | null | undefined,
	Date | string | null
>;

export type UserRole = 'therapist' | 'partner';
export type PartnerRole = 'injured' | 'involved' | 'none';

export interface UsersTable {
	id: Generated<string>;
	email: string;
	password_hash: string | null;
	role: UserRole;
	display_name: string;
	/** The TOTP secret, sealed under `totp_key_id` (plain bytes only in rows from before 0010). */
	totp_key: Uint8Array | null;
	totp_key_id: string | null;
	totp_nonce: Uint8Array | null;
	recovery_code_hash: string | null;
	/** The time step of the last TOTP code accepted; a code of that step or an earlier one is refused. */
	totp_last_step: number | null;
	/** When a recovery code cleared the authenticator; only a verified session may enrol until then. */
	totp_reset_at: NullableTimestamp;
	created_at: Timestamp;
	/** A partner's switch for reminder emails (migration 0015). */
	email_reminders: Generated<boolean>;
	/** A therapist's second contact for safety alerts, sent the same email she is (migration 0017). */
	safety_contact_email: string | null;
	/** The IANA time zone every date is shown in for this user (migration 0018). */
	time_zone: Generated<string>;
}

export interface SessionsTable {
	id: string;
	user_id: string;
	created_at: Timestamp;
	last_seen_at: Timestamp;
	expires_at: Timestamp;
	two_factor_verified: Generated<boolean>;
	shared_device: Generated<boolean>;
	user_agent: string | null;
}

export interface CouplesTable {
	id: Generated<string>;
	therapist_id: string;
	label: string;
	roles_apply: Generated<boolean>;
	progress_visible: Generated<boolean>;
	/** The scheduler's reminders for this couple (migration 0015); the therapist's nudges always go. */
	auto_reminders: Generated<boolean>;
	archived_at: NullableTimestamp;
	created_at: Timestamp;
}

export interface CoupleMembersTable {
	id: Generated<string>;
	couple_id: string;
	slot: 1 | 2;
	user_id: string | null;
	display_name: string;
	email: string | null;
	/** The therapist's record of the partner's phone number, shown on a safety flag. */
	phone: string | null;
	role: Generated<PartnerRole>;
	joined_at: NullableTimestamp;
}

export interface InvitesTable {
	id: Generated<string>;
	member_id: string;
	token_hash: string;
	created_at: Timestamp;
	expires_at: Timestamp;
	used_at: NullableTimestamp;
	revoked_at: NullableTimestamp;
}

/** A password reset link (migration 0021): only the token's SHA-256 is kept. */
export interface PasswordResetsTable {
	id: Generated<string>;
	user_id: string;
	token_hash: string;
	created_at: Timestamp;
	expires_at: Timestamp;
	used_at: NullableTimestamp;
	/** The therapist who issued it for her client, or null when asked for by email. */
	issued_by: string | null;
}

export interface AuditLogTable {
	id: Generated<string>;
	at: Timestamp;
	actor_id: string | null;
	action: string;
	target_type: string | null;
	target_id: string | null;
	couple_id: string | null;
	ip: string | null;
	detail: unknown;
	prev_hash: string | null;
	hash: string | null;
}

export interface RateLimitsTable {
	key: string;
	window_start: Timestamp;
	count: number;
	locked_until: NullableTimestamp;
}

export interface Database extends ExerciseTables, NotesTables, OutboxTables, ScheduleTables {
	nudges: NudgesTable;
	crisis_resources: CrisisResourcesTable;
	users: UsersTable;
	sessions: SessionsTable;
	couples: CouplesTable;
	couple_members: CoupleMembersTable;
	invites: InvitesTable;
	password_resets: PasswordResetsTable;
	audit_log: AuditLogTable;
	rate_limits: RateLimitsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Session = Selectable<SessionsTable>;
export type Couple = Selectable<CouplesTable>;
export type CoupleMember = Selectable<CoupleMembersTable>;

export interface ExerciseDefinitionsTable {
	id: Generated<string>;
	key: string;
	version: number;
	owner_id: string | null;
	/** A definition that passed the exercise schema (src/lib/exercises). */
	definition: unknown;
	created_at: Timestamp;
	archived_at: NullableTimestamp;
}

export type AssignmentMode = 'homework' | 'live';

export interface AssignmentsTable {
	id: Generated<string>;
	couple_id: string;
	definition_id: string;
	mode: AssignmentMode;
	status: Generated<'open' | 'closed'>;
	due_at: NullableTimestamp;
	note: string | null;
	current_section_id: string | null;
	last_seq: Generated<number>;
	created_by: string;
	created_at: Timestamp;
	closed_at: NullableTimestamp;
	/** The schedule this assignment is an occurrence of, and which one (0 first); migration 0015. */
	schedule_id: string | null;
	occurrence: number | null;
	/** Set when a scheduled occurrence closed unfinished because the next one opened. */
	missed_at: NullableTimestamp;
	/** When simultaneous sections are revealed (migration 0020); see rooms/visibility.ts. */
	reveal_policy: Generated<RevealPolicy>;
	/** When the therapist first opened this live room (migration 0023); null until then. */
	opened_at: NullableTimestamp;
}

/** 'on_lock': revealed as soon as both partners lock; 'session': held until the therapist reveals. */
export type RevealPolicy = 'on_lock' | 'session';

export interface ResponsesTable {
	assignment_id: string;
	user_id: string;
	item_id: string;
	value: unknown;
	updated_at: Timestamp;
}

export interface SectionLocksTable {
	assignment_id: string;
	user_id: string;
	section_id: string;
	locked_at: Timestamp;
}

export interface SectionRevealsTable {
	assignment_id: string;
	section_id: string;
	revealed_at: Timestamp;
	revealed_by: string | null;
}

export interface JointAnswersTable {
	assignment_id: string;
	item_id: string;
	value: unknown;
	updated_by: string;
	updated_at: Timestamp;
	/** Migration 0023: who proposed the value (null: pre-filled from both partners' same answer). */
	proposed_by: string | null;
	/** Goes up with every new proposal; a confirmation names the revision it agrees to. */
	revision: Generated<number>;
	/** Who confirmed the proposal (the other partner or the therapist); null while it is a proposal. */
	confirmed_by: string | null;
	/** Set when confirmed: the joint answer is an agreement only then. */
	confirmed_at: NullableTimestamp;
}

export interface RoomEventsTable {
	assignment_id: string;
	seq: number;
	type: string;
	actor_id: string | null;
	payload: unknown;
	created_at: Timestamp;
}

export interface OpReceiptsTable {
	user_id: string;
	op_id: string;
	assignment_id: string;
	result: unknown;
	created_at: Timestamp;
}

export interface SafetyFlagsTable {
	id: Generated<string>;
	assignment_id: string;
	couple_id: string;
	user_id: string;
	item_id: string;
	raised_at: Timestamp;
	acknowledged_by: string | null;
	acknowledged_at: NullableTimestamp;
	/** The answer that raised the flag (null on flags raised before it was kept). */
	answer: ColumnType<unknown, string | null | undefined, string | null>;
	/** The crisis resources the partner was shown (null: the default list). */
	resources_shown: ColumnType<unknown, string | null | undefined, string | null>;
	acknowledged_action: SafetyAction | null;
}

/** The therapist's note on an acknowledgement, sealed like session notes; `id` is the flag's id. */
export interface SafetyAckNotesTable {
	id: string;
	key_id: string;
	nonce: Uint8Array;
	ciphertext: Uint8Array;
	created_at: Generated<Date>;
}

export interface ExerciseTables {
	exercise_definitions: ExerciseDefinitionsTable;
	assignments: AssignmentsTable;
	responses: ResponsesTable;
	section_locks: SectionLocksTable;
	section_reveals: SectionRevealsTable;
	joint_answers: JointAnswersTable;
	room_events: RoomEventsTable;
	op_receipts: OpReceiptsTable;
	safety_flags: SafetyFlagsTable;
	safety_ack_notes: SafetyAckNotesTable;
}

export type Assignment = Selectable<AssignmentsTable>;

export interface NotesTable {
	id: Generated<string>;
	couple_id: string;
	author_id: string;
	kind: 'progress' | 'psychotherapy';
	template: 'soap' | 'dap' | 'birp' | 'free';
	/** A calendar date, read back as YYYY-MM-DD text. */
	session_date: ColumnType<string, string, string>;
	assignment_id: string | null;
	key_id: string;
	nonce: Uint8Array;
	ciphertext: Uint8Array;
	content_hash: string | null;
	signed_at: NullableTimestamp;
	signed_by: string | null;
	created_at: Timestamp;
	updated_at: Timestamp;
}

export interface NoteAddendaTable {
	id: Generated<string>;
	note_id: string;
	author_id: string;
	key_id: string;
	nonce: Uint8Array;
	ciphertext: Uint8Array;
	content_hash: string;
	signed_at: Timestamp;
}

export interface NotesTables {
	notes: NotesTable;
	note_addenda: NoteAddendaTable;
}

export type OutboxStatus = 'pending' | 'sent' | 'retrying' | 'failed';

export interface OutboxTable {
	id: Generated<string>;
	kind: string;
	to_address: string;
	/** The sealed subject and text; null once the message is sent or given up on. */
	key_id: string | null;
	nonce: Uint8Array | null;
	ciphertext: Uint8Array | null;
	status: Generated<OutboxStatus>;
	attempts: Generated<number>;
	next_attempt_at: Timestamp;
	lease_until: NullableTimestamp;
	/** A code (SMTP reply or connection error), never the server's text, which can quote an address. */
	last_error: string | null;
	dedupe_key: string | null;
	created_at: Timestamp;
	sent_at: NullableTimestamp;
}

export interface OutboxTables {
	outbox: OutboxTable;
}

export type Cadence = 'weekly' | 'fortnightly' | 'monthly';
export type ScheduleStatus = 'active' | 'paused' | 'stopped' | 'ended';

export interface SchedulesTable {
	id: Generated<string>;
	couple_id: string;
	definition_id: string;
	created_by: string;
	cadence: Cadence;
	/** A weekday (0 = Sunday) for weekly and fortnightly, a day of the month (1-31) for monthly. */
	due_day: number;
	occurrences: number | null;
	until_at: NullableTimestamp;
	opens_days_before: Generated<number>;
	note: string | null;
	/** Given to each occurrence (migration 0020). */
	reveal_policy: Generated<RevealPolicy>;
	status: Generated<ScheduleStatus>;
	next_occurrence: Generated<number>;
	next_due_at: NullableTimestamp;
	created_at: Timestamp;
	paused_at: NullableTimestamp;
	stopped_at: NullableTimestamp;
}

export interface ScheduledWorkTable {
	id: Generated<string>;
	key: string;
	kind: string;
	run_at: Timestamp;
	payload: unknown;
	attempts: Generated<number>;
	last_error: string | null;
	done_at: NullableTimestamp;
	created_at: Timestamp;
}

export interface ScheduleTables {
	schedules: SchedulesTable;
	scheduled_work: ScheduledWorkTable;
}

export type Schedule = Selectable<SchedulesTable>;

// Migration 0004 (nudges, crisis resources; reminder kinds from 0015).
/** A therapist's nudge, or one of the scheduler's reminders (src/lib/server/reminders.ts). */
export type ReminderKind = 'nudge' | 'opened' | 'due-tomorrow' | 'overdue';

export interface NudgesTable {
	id: Generated<string>;
	assignment_id: string;
	user_id: string;
	/** The therapist who nudged; null for the scheduler's reminders. */
	sent_by: string | null;
	kind: Generated<ReminderKind>;
	/** The reminder email in the outbox, when one was queued. */
	email_id: string | null;
	created_at: Timestamp;
	emailed_at: NullableTimestamp;
	dismissed_at: NullableTimestamp;
}

export interface CrisisResourcesTable {
	id: Generated<string>;
	therapist_id: string;
	position: Generated<number>;
	name: string;
	phone: string | null;
	text_line: string | null;
	url: string | null;
}
