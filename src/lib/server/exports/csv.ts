// The CSV export: one row per stored answer (each partner's, and the couple's joint answers), for a
// spreadsheet. Every assignment is included, open ones too, with its status in a column.
import { stringify } from 'csv-stringify/sync';
import { answerText } from '$lib/exercises/answers';
import { formatIsoInZone } from '$lib/dates';
import { itemScore } from '$lib/exercises/scoring';
import type { HistoryAssignment } from '../progress';
import { itemIndex, type ExportRecord } from './record';

export const CSV_COLUMNS = [
	'couple',
	'assignment',
	'exercise',
	'version',
	'mode',
	'status',
	'date',
	'partner',
	'role',
	'section',
	'item',
	'prompt',
	'value',
	'raw',
	'score'
] as const;

export const JOINT_PARTNER = 'Both (joint)';

type Row = Record<(typeof CSV_COLUMNS)[number], string | number>;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as a
 * formula; a leading apostrophe makes it plain text again (OWASP's advice for CSV injection).
 */
export function defuse(cell: string): string {
	return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

function statusOf(assignment: HistoryAssignment): 'open' | 'closed' | 'complete' {
	if (assignment.status === 'closed') return 'closed';
	return assignment.isComplete ? 'complete' : 'open';
}

export function toCsv(record: ExportRecord): string {
	const { history } = record;
	const names = new Map(history.partners.map((p) => [p.userId, p]));
	const order = new Map(history.partners.map((p, i) => [p.userId, i]));
	const rows: Row[] = [];
	for (const assignment of history.assignments) {
		const stored = history.definitions.get(assignment.definitionId);
		if (!stored) continue;
		const items = itemIndex(stored.definition);
		const common = {
			couple: history.label,
			assignment: assignment.id,
			exercise: assignment.title,
			version: assignment.version,
			mode: assignment.mode,
			status: statusOf(assignment)
		};
		const answers: {
			who: number;
			userId: string | null;
			itemId: string;
			value: unknown;
			at: Date;
		}[] = [];
		for (const [userId, byItem] of Object.entries(history.answers.get(assignment.id) ?? {})) {
			for (const [itemId, a] of Object.entries(byItem)) {
				answers.push({ who: order.get(userId) ?? 2, userId, itemId, ...a });
			}
		}
		for (const [itemId, a] of Object.entries(history.joint.get(assignment.id) ?? {})) {
			answers.push({ who: 3, userId: null, itemId, ...a });
		}
		// In the exercise's own order, each partner's answer, then the couple's joint one.
		const position = (itemId: string) => items.get(itemId)?.order ?? Number.MAX_SAFE_INTEGER;
		answers.sort((x, y) => position(x.itemId) - position(y.itemId) || x.who - y.who);
		for (const answer of answers) {
			const entry = items.get(answer.itemId);
			const partner = answer.userId ? names.get(answer.userId) : null;
			const score = entry ? itemScore(entry.item, answer.value) : null;
			rows.push({
				...common,
				date: formatIsoInZone(answer.at, record.timeZone),
				partner: answer.userId ? (partner?.name ?? 'Former partner') : JOINT_PARTNER,
				role: answer.userId ? (partner?.role ?? '') : 'joint',
				section: entry?.section ?? '',
				item: answer.itemId,
				prompt: entry?.item.prompt ?? '',
				value: entry ? answerText(entry.item, answer.value) : '',
				raw: JSON.stringify(answer.value),
				score: score === null ? '' : Math.round(score * 10) / 10
			});
		}
	}
	return stringify(rows, {
		header: true,
		columns: [...CSV_COLUMNS],
		// Excel reads UTF-8 correctly only with the byte-order mark; RFC 4180 asks for CRLF.
		bom: true,
		record_delimiter: 'windows',
		cast: { string: defuse }
	});
}
