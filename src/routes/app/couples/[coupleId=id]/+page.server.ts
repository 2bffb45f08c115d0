import { fail, redirect } from '@sveltejs/kit';
import * as v from 'valibot';
import { db } from '$lib/server/db';
import { readForm } from '$lib/server/forms';
import * as couples from '$lib/server/couples';
import * as invites from '$lib/server/auth/invites';
import { isEmailConfigured } from '$lib/server/email';
import * as outbox from '$lib/server/outbox';
import * as schedules from '$lib/server/schedules';
import { qrDataUri } from '$lib/server/auth/qr';
import { loadSection, ownCouple } from './section.server';
import type { Actions, PageServerLoad } from './$types';

const SlotForm = v.object({ slot: v.picklist(['1', '2']) });
const VisibilityForm = v.object({ visible: v.picklist(['on', 'off']) });

async function slotFrom(request: Request) {
	const parsed = await readForm(request, SlotForm);
	return parsed.ok ? (Number(parsed.data.slot) as couples.Slot) : null;
}

const BAD_SLOT = 'Choose which partner to invite. Reload the page and try again.';

export const load = (async ({ locals, params }) => {
	// The work section: partners, assignments and schedules. Progress and the record are their own
	// pages (progress/, record/), so this first view reads no answers and draws no charts.
	const { couple, assignments, summary } = await loadSection(locals, params.coupleId);
	return {
		couple,
		summary,
		emailConfigured: isEmailConfigured(),
		assignments,
		schedules: await schedules.forCouple(db(), couple.id, assignments),
		autoReminders: await schedules.autoRemindersOn(db(), couple.id)
	};
}) satisfies PageServerLoad;

export const actions = {
	invite: async ({ request, locals, params, url, getClientAddress }) => {
		const { user, couple } = await ownCouple(locals, params.coupleId);
		const slot = await slotFrom(request);
		if (!slot) return fail(400, { message: BAD_SLOT });
		const issued = await invites.issue(db(), {
			therapistId: user.id,
			coupleId: couple.id,
			slot,
			ip: getClientAddress(),
			email: {
				therapistName: user.display_name,
				linkFor: (token) => `${url.origin}/invite/${token}`
			}
		});
		if (!issued.ok) {
			const messages = {
				'not-found': 'There is no such partner in this couple.',
				joined: 'This partner has already joined.',
				archived: 'This couple is archived. Restore it before inviting anyone.'
			};
			return fail(issued.reason === 'not-found' ? 404 : 409, { message: messages[issued.reason] });
		}
		const link = `${url.origin}/invite/${issued.token}`;
		if (issued.emailId) outbox.wake();
		const emailed = issued.emailId ? ('queued' as const) : ('not-configured' as const);
		return {
			invite: {
				slot,
				link,
				qr: qrDataUri(link),
				expiresAt: issued.expiresAt.toISOString(),
				emailed,
				email: issued.member.email
			}
		};
	},
	revoke: async ({ request, locals, params, getClientAddress }) => {
		const { user, couple } = await ownCouple(locals, params.coupleId);
		const slot = await slotFrom(request);
		if (!slot) return fail(400, { message: BAD_SLOT });
		await invites.revoke(db(), {
			therapistId: user.id,
			coupleId: couple.id,
			slot,
			ip: getClientAddress()
		});
		return { revoked: slot };
	},
	progress: async ({ request, locals, params, getClientAddress }) => {
		const { user, couple } = await ownCouple(locals, params.coupleId);
		const parsed = await readForm(request, VisibilityForm);
		if (!parsed.ok) {
			return fail(400, { message: 'Choose whether the partners see their progress, then save.' });
		}
		const isVisible = parsed.data.visible === 'on';
		await couples.setProgressVisible(db(), user.id, couple.id, isVisible, getClientAddress());
		return { progressVisible: isVisible };
	},
	archive: async ({ locals, params, getClientAddress }) => {
		const { user, couple } = await ownCouple(locals, params.coupleId);
		await couples.setArchived(db(), user.id, couple.id, true, getClientAddress());
		redirect(303, `/app/couples/${couple.id}`);
	},
	restore: async ({ locals, params, getClientAddress }) => {
		const { user, couple } = await ownCouple(locals, params.coupleId);
		await couples.setArchived(db(), user.id, couple.id, false, getClientAddress());
		redirect(303, `/app/couples/${couple.id}`);
	}
} satisfies Actions;
