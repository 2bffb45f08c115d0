// Email: what Trellis writes (invites, reminders) and the SMTP transport the outbox sender uses. Nothing
// is sent from a request: callers queue a message with outbox.enqueue in their own transaction.
// No message names an exercise, an answer or (to anyone but the client) a client.
import nodemailer, { type Transporter } from 'nodemailer';
import { formatDateTime, formatDue, zoneLabel } from '$lib/dates';
import { config } from './config';
import type { ReminderKind } from './db/schema';

let cached: { url: string; transport: Transporter } | null = null;

/** The SMTP connection from SMTP_URL, or null when email is not set up. */
export function smtpTransport(): Transporter | null {
	const url = config().smtpUrl;
	if (!url) return null;
	if (cached?.url !== url) cached = { url, transport: nodemailer.createTransport(url) };
	return cached.transport;
}

export function isEmailConfigured(): boolean {
	return config().smtpUrl !== null;
}

export const senderAddress = () => config().smtpFrom;

export interface EmailContent {
	subject: string;
	text: string;
}

/** An email to a named person: the greeting, a blank line, then the lines given. */
function letter(subject: string, name: string, lines: string[]): EmailContent {
	return { subject, text: [`Hello ${name},`, '', ...lines].join('\n') };
}

export function inviteEmail(message: {
	partnerName: string;
	therapistName: string;
	link: string;
	expiresAt: Date;
	/** The therapist's: the partner has no zone yet, so the email names the clock it uses. */
	timeZone: string;
}): EmailContent {
	const until = `${formatDateTime(message.expiresAt, message.timeZone)} ${zoneLabel(message.expiresAt, message.timeZone)}`;
	return letter(`${message.therapistName} invited you to Trellis`, message.partnerName, [
		`${message.therapistName} invited you to Trellis, where you will find the exercises for your sessions together.`,
		'',
		`Open this link to set your password (it works once, until ${until}):`,
		message.link,
		'',
		'If you did not expect this email, you can ignore it.'
	]);
}

/**
 * A homework reminder. It says that something is waiting and when it is due, never what it is: an
 * email can be read by someone else in the house.
 */
export function reminderEmail(message: {
	kind: ReminderKind;
	partnerName: string;
	therapistName: string;
	dueAt: Date | null;
	/** The partner's, like every date they see. */
	timeZone: string;
	origin: string;
}): EmailContent {
	const due = message.dueAt ? ` It is due ${formatDue(message.dueAt, message.timeZone)}.` : '';
	const opening = {
		nudge: `${message.therapistName} sent you a gentle reminder about an exercise waiting for you in Trellis.${due}`,
		opened: `A new exercise from ${message.therapistName} is waiting for you in Trellis.${due}`,
		'due-tomorrow': `An exercise from ${message.therapistName} in Trellis is due tomorrow.`,
		overdue: `An exercise from ${message.therapistName} in Trellis is past its due date. You can still do it.`
	}[message.kind];
	return letter(`A reminder from ${message.therapistName}`, message.partnerName, [
		opening,
		`${message.origin}/c`,
		'',
		`To stop these emails, turn them off on your account page: ${message.origin}/c/account`
	]);
}

/**
 * The alert a therapist (and her second contact) gets when an answer raises a safety flag. It names no
 * client, exercise or answer: email is not a secure channel, and the link leads to a sign-in.
 */
export function safetyAlertEmail(message: { origin: string }): EmailContent {
	return {
		subject: 'A safety answer needs your attention — sign in to Trellis',
		text: [
			'A safety answer needs your attention — sign in to Trellis to see it:',
			`${message.origin}/app/safety`,
			'',
			'This email carries no details on purpose; they are only in Trellis.'
		].join('\n')
	};
}

/** The link to set a new password, asked for on the sign-in page. */
export function passwordResetEmail(message: { name: string; link: string }): EmailContent {
	return letter('Reset your Trellis password', message.name, [
		'Someone (we hope you) asked to reset the password of your Trellis account. Open this link to choose a new one. It works once, for 30 minutes:',
		message.link,
		'',
		'If you did not ask for this, you can ignore this email: your password stays as it is.'
	]);
}

/** Tells the account's owner that its password changed, so a change they did not make is noticed. */
export function passwordChangedEmail(message: { name: string; origin: string }): EmailContent {
	return letter('Your Trellis password was changed', message.name, [
		'The password of your Trellis account was just changed, and every device signed in with the old one was signed out.',
		'',
		`If you did not do this, reset your password now at ${message.origin}/login/forgot.`
	]);
}

/** Tells the old address that the account now signs in with another one. */
export function emailChangedEmail(message: { name: string; newEmail: string }): EmailContent {
	return letter('Your Trellis sign-in email was changed', message.name, [
		`Your Trellis account now signs in with ${message.newEmail} instead of this address.`,
		'',
		'If you did not do this, tell your therapist (or, if you are a therapist, whoever runs Trellis for your practice) at once.'
	]);
}
