// Downloads a couple's record (FHIR R4 JSON, CSV or PDF) for its own therapist.
import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { requireTherapist } from '$lib/server/auth/guards';
import { appKeyring } from '$lib/server/crypto/keyring';
import * as couples from '$lib/server/couples';
import { exportCouple, isFormat } from '$lib/server/exports';
import type { RequestHandler } from './$types';

export const GET = (async ({ locals, params, url, getClientAddress }) => {
	const { user } = requireTherapist(locals);
	const couple = await couples.getForTherapist(db(), user.id, params.coupleId);
	// Another therapist's couple and a couple that does not exist look the same.
	if (!couple) error(404, 'There is no such couple in your practice.');
	const format = url.searchParams.get('format');
	if (!isFormat(format)) {
		return new Response('Choose an export format: fhir, csv or pdf (for example ?format=pdf).\n', {
			status: 400,
			headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }
		});
	}
	const file = await exportCouple(
		db(),
		appKeyring(),
		{ userId: user.id, name: user.display_name, ip: getClientAddress() },
		couple.id,
		format
	);
	if (!file) error(404, 'There is no such couple in your practice.');
	return new Response(file.body, {
		headers: {
			'content-type': file.contentType,
			'content-disposition': `attachment; filename="${file.filename}"`,
			'content-length': String(file.body.byteLength),
			'cache-control': 'no-store'
		}
	});
}) satisfies RequestHandler;
