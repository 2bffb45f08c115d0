// What goes into a couple's export, gathered once for every format: the scored history, the couple's
// agreements and its signed progress notes (never psychotherapy notes, never drafts).
import type { Kysely } from 'kysely';
import type { ExerciseDefinition, ExerciseItem } from '$lib/exercises/definition';
import type { Database } from '../db/schema';
import type { Keyring } from '../crypto/keyring';
import { coupleHistory, type CoupleHistory } from '../progress';
import * as homework from '../homework';
import * as notes from '../notes';
import * as timeZones from '../auth/time-zone';
import { calendarDay, formatDateTime } from '$lib/dates';

export interface ExportActor {
	userId: string;
	/** The therapist's display name, printed on the report. */
	name: string;
	ip?: string | null;
}

export interface ExportRecord {
	history: CoupleHistory;
	therapistName: string;
	agreements: homework.Agreement[];
	notes: notes.SignedNote[];
	generatedAt: Date;
	/** The therapist's zone: every date in the export is on her clock, and the export says so. */
	timeZone: string;
	/** First and last day (`YYYY-MM-DD`, her clock) of work in the record; null before any. */
	range: { from: string; to: string } | null;
}

/**
 * Everything a therapist's export of her own couple holds, or null when the couple is not hers.
 * Reading the couple's answers and notes here is a therapist read; the caller records it as one
 * `couple.exported` audit row instead of one row per answer or note.
 */
export async function gatherRecord(
	db: Kysely<Database>,
	keyring: Keyring,
	actor: ExportActor,
	coupleId: string
): Promise<ExportRecord | null> {
	const signed = await notes.signedProgressNotes(db, keyring, actor, coupleId);
	if (!signed) return null;
	const [history, agreements] = await Promise.all([
		coupleHistory(db, coupleId),
		homework.agreements(db, coupleId)
	]);
	if (!history) return null;
	const timeZone = await timeZones.zoneOf(db, actor.userId);
	// Session dates are calendar days already; an assignment's moment falls on a day of her clock.
	const days = [
		...history.assignments.map((a) => calendarDay(a.date, timeZone)),
		...signed.map((n) => n.sessionDate)
	].sort();
	return {
		history,
		therapistName: actor.name,
		agreements,
		notes: signed,
		generatedAt: new Date(),
		timeZone,
		range: days.length ? { from: days[0], to: days[days.length - 1] } : null
	};
}

/** Each item of a definition by id, with its section and its position in the exercise. */
export function itemIndex(
	definition: ExerciseDefinition
): Map<string, { item: ExerciseItem; section: string; order: number }> {
	const index = new Map<string, { item: ExerciseItem; section: string; order: number }>();
	let order = 0;
	for (const section of definition.sections) {
		for (const item of section.items)
			index.set(item.id, { item, section: section.id, order: order++ });
	}
	return index;
}

// Letters that Unicode does not decompose into a base letter and an accent.
const UNDECOMPOSED: Record<string, string> = {
	ł: 'l',
	Ł: 'L',
	ø: 'o',
	Ø: 'O',
	đ: 'd',
	Đ: 'D',
	ß: 'ss',
	æ: 'ae',
	Æ: 'AE',
	œ: 'oe',
	Œ: 'OE',
	þ: 'th',
	Þ: 'Th',
	ı: 'i'
};

/** One character (or a few) in plain Latin letters where there is an obvious one, else unchanged. */
export function plainLetters(text: string): string {
	return text
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/[łŁøØđĐßæÆœŒþÞı]/g, (c) => UNDECOMPOSED[c]);
}

/** A name safe in a file name: lowercase ASCII words joined by dashes. */
export function slug(label: string): string {
	const words = plainLetters(label)
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 60)
		.replace(/-+$/, '');
	return words || 'couple';
}

/** A signed note as plain text: each template field under its label, then every addendum. */
export function noteText(note: notes.SignedNote, timeZone: string): string {
	const fields = notes.TEMPLATES[note.template].fields
		.filter((f) => note.body[f.id]?.trim())
		.map((f) => `${f.label}: ${note.body[f.id].trim()}`);
	const addenda = note.addenda.map(
		(a) => `Addendum signed ${formatDateTime(a.signedAt, timeZone)}: ${a.text}`
	);
	return [...fields, ...addenda].join('\n\n');
}
