// The demo practice: one therapist, three couples with partners who have joined. Used at first start and by `npm run seed:demo`.
import type { Kysely } from 'kysely';
import type { Database, PartnerRole } from '../db/schema';
import { hashPassword } from '../auth/password';
import { randomUUID } from 'node:crypto';
import { sealTotpKey, totpKeyFromBase32 } from '../auth/totp';
import { appKeyring } from '../crypto/keyring';
import { seedHistory } from './history';
import { seedNotes } from './notes';

export const DEMO_PASSWORD = 'trellis-demo-2026';
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const DEMO_THERAPIST = { email: 'therapist@trellis.test', name: 'Dr. Maya Ellison' };

interface DemoPartner {
	email: string;
	name: string;
	role: PartnerRole;
}

export const DEMO_COUPLES: {
	label: string;
	rolesApply: boolean;
	partners: [DemoPartner, DemoPartner];
}[] = [
	{
		label: 'Alex & Sam',
		rolesApply: true,
		partners: [
			{ email: 'alex@trellis.test', name: 'Alex', role: 'injured' },
			{ email: 'sam@trellis.test', name: 'Sam', role: 'involved' }
		]
	},
	{
		label: 'Jordan & Riley',
		rolesApply: true,
		partners: [
			{ email: 'jordan@trellis.test', name: 'Jordan', role: 'involved' },
			{ email: 'riley@trellis.test', name: 'Riley', role: 'injured' }
		]
	},
	{
		label: 'Priya & Tom',
		rolesApply: false,
		partners: [
			{ email: 'priya@trellis.test', name: 'Priya', role: 'none' },
			{ email: 'tom@trellis.test', name: 'Tom', role: 'none' }
		]
	}
];

export interface DemoIds {
	therapistId: string;
	couples: { id: string; label: string; partnerIds: [string, string] }[];
}

/** Seeds the demo practice. With onlyIfEmpty, does nothing when any user exists; returns whether it seeded. */
export async function seedDemo(
	db: Kysely<Database>,
	options: { onlyIfEmpty?: boolean } = {}
): Promise<boolean> {
	const passwordHash = await hashPassword(DEMO_PASSWORD);
	return db.transaction().execute(async (trx) => {
		if (options.onlyIfEmpty) {
			const anyone = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
			if (anyone) return false;
		}
		const existing = await trx
			.selectFrom('users')
			.select('id')
			.where('email', '=', DEMO_THERAPIST.email)
			.executeTakeFirst();
		if (existing) return false;

		// The id is chosen here because the sealed TOTP secret is bound to it.
		const therapistId = randomUUID();
		const therapist = await trx
			.insertInto('users')
			.values({
				id: therapistId,
				email: DEMO_THERAPIST.email,
				password_hash: passwordHash,
				role: 'therapist',
				display_name: DEMO_THERAPIST.name,
				...sealTotpKey(appKeyring(), therapistId, totpKeyFromBase32(DEMO_TOTP_SECRET))
			})
			.returning('id')
			.executeTakeFirstOrThrow();

		const ids: DemoIds = { therapistId: therapist.id, couples: [] };
		for (const couple of DEMO_COUPLES) {
			const row = await trx
				.insertInto('couples')
				.values({ therapist_id: therapist.id, label: couple.label, roles_apply: couple.rolesApply })
				.returning('id')
				.executeTakeFirstOrThrow();
			const partnerIds: string[] = [];
			for (const [index, partner] of couple.partners.entries()) {
				const user = await trx
					.insertInto('users')
					.values({
						email: partner.email,
						password_hash: passwordHash,
						role: 'partner',
						display_name: partner.name
					})
					.returning('id')
					.executeTakeFirstOrThrow();
				partnerIds.push(user.id);
				await trx
					.insertInto('couple_members')
					.values({
						couple_id: row.id,
						slot: (index + 1) as 1 | 2,
						user_id: user.id,
						display_name: partner.name,
						email: partner.email,
						role: partner.role,
						joined_at: new Date(Date.now() - 42 * 24 * 3600_000)
					})
					.execute();
			}
			ids.couples.push({
				id: row.id,
				label: couple.label,
				partnerIds: partnerIds as [string, string]
			});
		}
		await seedHistory(trx, ids);
		await seedNotes(trx, ids);
		return true;
	});
}

export function printDemoSignIns() {
	const lines = [
		'',
		'Demo practice ready. Sign in with password "' + DEMO_PASSWORD + '":',
		`  therapist  ${DEMO_THERAPIST.email}  (TOTP secret ${DEMO_TOTP_SECRET}, SHA-1, 6 digits, 30 s)`,
		...DEMO_COUPLES.map(
			(c) => `  ${c.label.padEnd(15)} ${c.partners.map((p) => p.email).join(', ')}`
		),
		''
	];
	console.log(lines.join('\n'));
}
