// Demo notes: a few signed progress notes and one private psychotherapy note per demo couple.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { appKeyring } from '../crypto/keyring';
import * as notes from '../notes';
import type { DemoIds } from './seed';

const PROGRESS = [
	{
		daysAgo: 21,
		body: {
			subjective:
				'Both described the week as tense; the injured partner reported frequent intrusive thoughts.',
			objective: 'Calm in session; both stayed with the exercise.',
			assessment: 'Early stage; safety items clear.',
			plan: 'Boundary exercise as homework; weekly trust check-in.'
		}
	},
	{
		daysAgo: 14,
		body: {
			subjective:
				'They compared boundary answers and found two large differences (cyber, financial).',
			objective: 'Some defensiveness when money came up, eased with reflection.',
			assessment: 'Agreement rising on the boundary scenarios.',
			plan: 'Live session on the divergent scenarios; start a reassurance plan.'
		}
	},
	{
		daysAgo: 7,
		body: {
			subjective: 'Reassurance plan is being kept; trust scores up a little for both.',
			objective: 'Warmer tone; more eye contact.',
			assessment: 'Steady progress; forgiveness readiness still mixed.',
			plan: 'Forgiveness readiness homework; keep the weekly check-in.'
		}
	}
];

function daysAgo(n: number) {
	return new Date(Date.now() - n * 24 * 3600_000).toISOString().slice(0, 10);
}

export async function seedNotes(db: Kysely<Database>, ids: DemoIds) {
	const keyring = appKeyring();
	const therapist = { userId: ids.therapistId };
	for (const couple of ids.couples) {
		for (const entry of PROGRESS) {
			const id = await notes.createDraft(db, keyring, therapist, {
				coupleId: couple.id,
				kind: 'progress',
				template: 'soap',
				sessionDate: daysAgo(entry.daysAgo),
				body: entry.body
			});
			if (id) await notes.sign(db, keyring, therapist, id);
		}
		await notes.createDraft(db, keyring, therapist, {
			coupleId: couple.id,
			kind: 'psychotherapy',
			template: 'free',
			sessionDate: daysAgo(7),
			body: { text: 'My own reactions this session: noticed a pull to side with the hurt partner.' }
		});
	}
}
