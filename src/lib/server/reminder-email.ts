// The homework reminder email, sent only when SMTP_URL is set (the in-app reminder is always there).
// It names no exercise content: an email can be read by someone else in the house.
import nodemailer from 'nodemailer';
import { isEmailConfigured, type SendResult } from './email';

export async function sendReminder(message: {
	to: string;
	partnerName: string;
	therapistName: string;
	link: string;
}): Promise<SendResult> {
	if (!isEmailConfigured()) return 'not-configured';
	try {
		await nodemailer.createTransport(process.env.SMTP_URL!.trim()).sendMail({
			from: process.env.SMTP_FROM?.trim() || 'Trellis <no-reply@trellis.invalid>',
			to: message.to,
			subject: `A reminder from ${message.therapistName}`,
			text: [
				`Hello ${message.partnerName},`,
				'',
				`${message.therapistName} sent you a gentle reminder about an exercise waiting for you in Trellis:`,
				message.link,
				'',
				'If you did not expect this email, you can ignore it.'
			].join('\n')
		});
		return 'sent';
	} catch (error) {
		console.error(
			`[email] reminder not sent: ${error instanceof Error ? error.message : 'unknown'}`
		);
		return 'failed';
	}
}
