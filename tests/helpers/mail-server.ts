// A real SMTP server in the test process (smtp-server), to receive what Trellis sends over a real SMTP
// conversation; it can refuse the first deliveries with a temporary error, like a busy mail server.
import { SMTPServer } from 'smtp-server';

export interface Received {
	to: string[];
	raw: string;
	/** The message with quoted-printable soft breaks and escapes undone, to search for words. */
	text: string;
}

const decoded = (raw: string) =>
	raw
		.replace(/=\r?\n/g, '')
		.replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

export interface MailServer {
	url: string;
	received: Received[];
	/** Deliveries refused so far. */
	refused(): number;
	/** Resolves once `count` messages have arrived in all. */
	arrived(count: number): Promise<Received[]>;
	close(): Promise<void>;
}

export async function startMailServer(options: { refuseFirst?: number } = {}): Promise<MailServer> {
	const received: Received[] = [];
	const waiting: { count: number; resolve: (r: Received[]) => void }[] = [];
	let refusals = 0;
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		onRcptTo(_address, _session, callback) {
			if (refusals < (options.refuseFirst ?? 0)) {
				refusals += 1;
				const busy = Object.assign(new Error('Busy, try again later'), { responseCode: 451 });
				return callback(busy);
			}
			callback();
		},
		onData(stream, session, callback) {
			let raw = '';
			stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
			stream.on('end', () => {
				received.push({
					to: session.envelope.rcptTo.map((r) => r.address),
					raw,
					text: decoded(raw)
				});
				for (const w of waiting.filter((w) => received.length >= w.count)) w.resolve(received);
				callback();
			});
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		url: `smtp://127.0.0.1:${port}`,
		received,
		refused: () => refusals,
		arrived(count) {
			if (received.length >= count) return Promise.resolve(received);
			return new Promise((resolve) => waiting.push({ count, resolve }));
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}
