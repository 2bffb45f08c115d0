// The audit trail in words: each recorded action as a sentence about what you did, linked to the
// thing it was done to. Stored action codes stay as they are (the hash chain covers them).
import { formatDate } from '$lib/dates';
import { SAFETY_ACTION_WORDS, type SafetyAction } from '$lib/safety-actions';
import type { TrailTarget } from '$lib/server/audit';

export interface TrailRow {
	action: string;
	target_type: string | null;
	target_id: string | null;
	detail: unknown;
}

/** What the filter offers, in words; actions without words show as recorded. */
export const ACTION_WORDS: Record<string, string> = {
	'responses.view': 'Viewed answers or progress',
	'note.created': 'Started a note',
	'note.draft-saved': 'Saved a note draft',
	'note.signed': 'Signed a note',
	'note.addendum-signed': 'Added an addendum',
	'note.viewed': 'Viewed a progress note',
	'note.psychotherapy-viewed': 'Viewed a psychotherapy note',
	'couple.created': 'Added the couple',
	'couple.updated': 'Changed the couple’s details',
	'couple.exported': 'Exported the record',
	'couple.archived': 'Archived the couple',
	'couple.restored': 'Restored the couple',
	'couple.progress-shown': 'Turned on the partners’ progress page',
	'couple.progress-hidden': 'Turned off the partners’ progress page',
	'couple.reminders-on': 'Turned on automatic reminders',
	'couple.reminders-off': 'Turned off automatic reminders',
	'invite.issued': 'Made an invite link',
	'invite.revoked': 'Withdrew an invite link',
	'schedule.created': 'Set up a repeating exercise',
	'schedule.paused': 'Paused a repeating exercise',
	'schedule.resumed': 'Resumed a repeating exercise',
	'schedule.stopped': 'Stopped a repeating exercise',
	'schedule.day-changed': 'Moved a repeating exercise’s day',
	'schedule.version-changed': 'Changed a repeating exercise’s version',
	'room.section.reveal': 'Revealed a section',
	'room.section.reopen': 'Reopened a section',
	'safety_flag.acknowledge': 'Acknowledged a safety flag'
};

export const actionWords = (action: string) => ACTION_WORDS[action] ?? action;

const lower = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** "You viewed the psychotherapy note of Nov 3, 2026", with where it links to (null: nowhere). */
export function sentenceOf(
	row: TrailRow,
	target: TrailTarget | undefined,
	coupleId: string
): { text: string; href: string | null } {
	const base = `/app/couples/${coupleId}`;
	const detail = (row.detail ?? {}) as Record<string, unknown>;
	if (row.target_type === 'note' && row.target_id) {
		const note = target?.note;
		const which = note
			? `the ${note.kind === 'psychotherapy' ? 'psychotherapy' : 'progress'} note of ${formatDate(`${note.day}T12:00:00Z`, 'UTC')}`
			: 'a note that no longer exists';
		const verbs: Record<string, string> = {
			'note.created': 'You started',
			'note.draft-saved': 'You saved a draft of',
			'note.signed': 'You signed',
			'note.addendum-signed': 'You added a signed addendum to',
			'note.viewed': 'You viewed',
			'note.psychotherapy-viewed': 'You viewed'
		};
		const verb = verbs[row.action] ?? `You: ${lower(actionWords(row.action))},`;
		return { text: `${verb} ${which}`, href: note ? `${base}/notes/${row.target_id}` : null };
	}
	if (row.target_type === 'assignment' && row.target_id) {
		const title = target?.title ?? 'an exercise';
		const href = target?.title ? `${base}/assignments/${row.target_id}` : null;
		const verbs: Record<string, string> = {
			'responses.view': `You viewed the answers to ${title}`,
			'room.section.reveal': `You revealed a section of ${title} to both partners`,
			'room.section.reopen': `You reopened a section of ${title}`
		};
		return { text: verbs[row.action] ?? `${actionWords(row.action)}: ${title}`, href };
	}
	if (row.action === 'responses.view') {
		return { text: 'You viewed their progress (scores over time)', href: `${base}/progress` };
	}
	if (row.action === 'couple.exported') {
		const format = typeof detail.format === 'string' ? ` as ${detail.format.toUpperCase()}` : '';
		return { text: `You exported the record${format}`, href: `${base}/record` };
	}
	if (row.target_type === 'schedule')
		return { text: `You ${lower(actionWords(row.action))}`, href: base };
	if (row.target_type === 'safety_flag') {
		// What she said she did (never the note, which the audit log does not hold).
		const did = (row.detail as { action?: string } | null)?.action;
		const words =
			did && did in SAFETY_ACTION_WORDS ? SAFETY_ACTION_WORDS[did as SafetyAction] : null;
		return {
			text: words
				? `You acknowledged a safety flag: ${lower(words)}`
				: 'You acknowledged a safety flag',
			href: '/app/safety'
		};
	}
	const known = ACTION_WORDS[row.action];
	return { text: known ? `You ${lower(known)}` : `Recorded: ${row.action}`, href: base };
}
