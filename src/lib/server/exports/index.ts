// A therapist's export of one of her couples, as FHIR R4 JSON, CSV or PDF, each audited once.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Keyring } from '../crypto/keyring';
import * as audit from '../audit';
import { calendarDay } from '$lib/dates';
import { toCsv } from './csv';
import { toFhirBundle } from './fhir';
import { toPdf } from './pdf';
import { gatherRecord, slug, type ExportActor, type ExportRecord } from './record';

export { gatherRecord, type ExportActor, type ExportRecord } from './record';
export { toCsv } from './csv';
export { toFhirBundle } from './fhir';
export { toPdf } from './pdf';

export const FORMATS = ['fhir', 'csv', 'pdf'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export function isFormat(value: unknown): value is ExportFormat {
	return typeof value === 'string' && (FORMATS as readonly string[]).includes(value);
}

const FILES: Record<ExportFormat, { contentType: string; extension: string }> = {
	fhir: { contentType: 'application/fhir+json', extension: 'json' },
	csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
	pdf: { contentType: 'application/pdf', extension: 'pdf' }
};

export interface ExportFile {
	body: Uint8Array<ArrayBuffer>;
	contentType: string;
	filename: string;
}

async function render(
	record: ExportRecord,
	format: ExportFormat
): Promise<Uint8Array<ArrayBuffer>> {
	switch (format) {
		case 'fhir':
			return new TextEncoder().encode(JSON.stringify(toFhirBundle(record), null, 2));
		case 'csv':
			return new TextEncoder().encode(toCsv(record));
		case 'pdf':
			return new Uint8Array(await toPdf(record));
	}
}

/**
 * The couple's record in one format, or null when the couple is not the actor's. Records one
 * `couple.exported` audit row, which stands for the reads of answers and notes the export made.
 */
export async function exportCouple(
	db: Kysely<Database>,
	keyring: Keyring,
	actor: ExportActor,
	coupleId: string,
	format: ExportFormat
): Promise<ExportFile | null> {
	const record = await gatherRecord(db, keyring, actor, coupleId);
	if (!record) return null;
	const body = await render(record, format);
	await audit.record(db, {
		actorId: actor.userId,
		action: 'couple.exported',
		targetType: 'couple',
		targetId: coupleId,
		coupleId,
		ip: actor.ip,
		detail: { format }
	});
	const { contentType, extension } = FILES[format];
	const date = calendarDay(record.generatedAt, record.timeZone);
	return {
		body,
		contentType,
		filename: `trellis-${slug(record.history.label)}-${date}.${extension}`
	};
}
