// TOTP codes for tests, as an authenticator app shows them. The server accepts each 30-second step
// of an account once (and one step of drift), so this process remembers the steps it has used per
// secret and takes the next free one; when the current and the next step are both used, it waits for
// the clock to reach a new step, as a person would. No $lib imports: the Playwright tests use it too.
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';

const STEP_MS = 30_000;
const lastUsed = new Map<string, number>();

export async function unusedTotpCode(secret: string): Promise<string> {
	for (;;) {
		const current = Math.floor(Date.now() / STEP_MS);
		const step = Math.max(current, (lastUsed.get(secret) ?? -1) + 1);
		if (step <= current + 1) {
			lastUsed.set(secret, step);
			return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(step), 6);
		}
		const untilNextStep = (current + 1) * STEP_MS - Date.now();
		await new Promise((resolve) => setTimeout(resolve, untilNextStep + 20));
	}
}
