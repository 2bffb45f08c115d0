// A therapist makes a password reset link for a partner of her couple who has joined, shown once for
// her to pass on (a server without email, or a partner who cannot reach theirs). The couple page posts
// here from its partner cards; without JavaScript this page shows the link itself.
import { error, fail } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { readForm } from '$lib/server/forms';
import { requireTherapist } from '$lib/server/auth/guards';
import * as couples from '$lib/server/couples';
import * as passwordReset from '$lib/server/auth/password-reset';
import type { Actions, PageServerLoad } from './$types';

const SlotForm = v.object({
	slot: v.picklist(['1', '2'], 'Choose which partner the link is for.')
});

async function ownCouple(locals: App.Locals, coupleId: string) {
	const { user } = requireTherapist(locals);
	const couple = await couples.getForTherapist(db(), user.id, coupleId);
	if (!couple) error(404, 'There is no such couple in your practice.');
	return { user, couple };
}

export const load = (async ({ locals, params }) => {
	const { couple } = await ownCouple(locals, params.coupleId);
	return {
		couple: { id: couple.id, label: couple.label, archived: couple.archivedAt !== null },
		partners: couple.members
			.filter((m) => m.userId !== null)
			.map((m) => ({ id: m.id, slot: m.slot, name: m.name }))
	};
}) satisfies PageServerLoad;

export const actions = {
	default: async ({ request, locals, params, url, getClientAddress }) => {
		const { user, couple } = await ownCouple(locals, params.coupleId);
		const parsed = await readForm(request, SlotForm);
		if (!parsed.ok) return fail(400, { message: parsed.message });
		const slot = Number(parsed.data.slot) as couples.Slot;
		const issued = await passwordReset.issueForPartner(db(), {
			therapistId: user.id,
			coupleId: couple.id,
			slot,
			ip: getClientAddress()
		});
		if (!issued.ok) {
			const messages = {
				'not-found': 'There is no such partner in this couple.',
				'not-joined': 'This partner has not joined yet: send them an invite link instead.',
				archived: 'This couple is archived. Restore it before making a reset link.'
			};
			return fail(issued.reason === 'not-found' ? 404 : 409, {
				message: messages[issued.reason]
			});
		}
		return {
			reset: { slot, name: issued.name, link: `${url.origin}/login/reset/${issued.token}` }
		};
	}
} satisfies Actions;
