// The PDF export: a readable report for the file or for a colleague. A title block with the notice,
// each repeated exercise as a line chart with the couple's noise band and a table of the same numbers,
// agreement over time, where the partners differ now, what they have agreed, and the signed progress
// notes. Built-in Helvetica only, so no font file ships and the text stays extractable.
import PDFDocument from 'pdfkit';
import { answerText } from '$lib/exercises/answers';
import { NOT_VALIDATED_NOTICE } from '$lib/exercises/scoring';
import {
	NOISE_NOTICE,
	agreementHistory,
	latestDivergences,
	measureTitle,
	seriesLabels,
	trends,
	type Measure
} from '$lib/progress/trends';
import { TEMPLATES } from '../notes';
import { plainLetters, type ExportRecord } from './record';
import {
	formatCalendarDay,
	formatDate,
	formatDateTime,
	formatDayMonth,
	zoneLabel
} from '$lib/dates';

type Doc = PDFKit.PDFDocument;

const INK = '#111827';
const MUTED = '#4b5563';
const RULE = '#9ca3af';
const BAND = '#e5e7eb';
const NOTICE_FILL = '#fef3c7';
/** One colour, line style and marker per partner, so colour is never the only signal. */
const SERIES = [
	{ colour: '#1d4ed8', dash: null, marker: 'circle' },
	{ colour: '#b45309', dash: [5, 3], marker: 'square' }
] as const;

// The standard PDF fonts encode text as WinAnsi (Latin-1 plus a few typographic marks); the rest is
// shown as its nearest plain letter, or "?", rather than as broken glyphs.
const WIN_ANSI_EXTRA = new Set([
	338, 339, 352, 353, 376, 381, 382, 402, 710, 732, 8211, 8212, 8216, 8217, 8218, 8220, 8221, 8222,
	8224, 8225, 8226, 8230, 8240, 8249, 8250, 8364, 8482
]);
const isWinAnsi = (code: number) =>
	code === 10 ||
	(code >= 32 && code < 127) ||
	(code >= 160 && code <= 255) ||
	WIN_ANSI_EXTRA.has(code);

export function printable(text: string): string {
	let out = '';
	for (const char of text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ')) {
		const code = char.codePointAt(0)!;
		if (isWinAnsi(code)) {
			out += char;
			continue;
		}
		const plain = plainLetters(char);
		out += [...plain].every((c) => isWinAnsi(c.codePointAt(0)!)) && plain ? plain : '?';
	}
	return out;
}

function contentWidth(doc: Doc) {
	return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

function bottom(doc: Doc) {
	return doc.page.height - doc.page.margins.bottom;
}

/** Starts a new page when less than `height` is left on this one. */
function ensureSpace(doc: Doc, height: number) {
	if (doc.y + height > bottom(doc)) doc.addPage();
}

function heading(doc: Doc, text: string, size = 16) {
	ensureSpace(doc, size * 4);
	doc.moveDown(size > 14 ? 1 : 0.6);
	doc
		.font('Helvetica-Bold')
		.fontSize(size)
		.fillColor(INK)
		.text(printable(text), doc.page.margins.left, doc.y);
	doc.moveDown(0.3);
	doc.font('Helvetica').fontSize(10);
}

/** A section's heading, then the sentence that stands for it when it has nothing to show (false). */
function section(doc: Doc, title: string, entries: unknown[], whenEmpty: string): boolean {
	heading(doc, title);
	if (entries.length > 0) return true;
	paragraph(doc, whenEmpty);
	return false;
}

/** A small grey note: how to read what follows, or the report's confidentiality notice. */
function smallPrint(doc: Doc, text: string) {
	paragraph(doc, text, { colour: MUTED, size: 9 });
}

/** A bold label and its text run on in one paragraph (a note's field, an addendum). */
function labelled(doc: Doc, label: string, text: string) {
	ensureSpace(doc, 30);
	doc
		.font('Helvetica-Bold')
		.fontSize(10)
		.fillColor(INK)
		.text(label, doc.page.margins.left, doc.y, { continued: true, width: contentWidth(doc) })
		.font('Helvetica')
		.text(printable(text));
	doc.moveDown(0.3);
}

function paragraph(doc: Doc, text: string, options: { colour?: string; size?: number } = {}) {
	doc
		.font('Helvetica')
		.fontSize(options.size ?? 10)
		.fillColor(options.colour ?? INK)
		.text(printable(text), doc.page.margins.left, doc.y, { width: contentWidth(doc) });
}

function table(doc: Doc, header: string[], rows: string[][], widths?: (number | string)[]) {
	ensureSpace(doc, 60);
	doc.font('Helvetica').fontSize(9).fillColor(INK);
	doc.table({
		position: { x: doc.page.margins.left, y: doc.y },
		maxWidth: contentWidth(doc),
		columnStyles: widths,
		defaultStyle: { border: 0.5, borderColor: RULE, padding: 4 },
		data: [
			header.map((text) => ({
				text: printable(text),
				type: 'TH' as const,
				font: { src: 'Helvetica-Bold' },
				backgroundColor: '#f3f4f6'
			})),
			...rows.map((row) => row.map((cell) => printable(cell)))
		]
	});
	doc.x = doc.page.margins.left;
	doc.moveDown(0.5);
}

function titleBlock(doc: Doc, record: ExportRecord) {
	const { history } = record;
	const left = doc.page.margins.left;
	doc.font('Helvetica').fontSize(11).fillColor(MUTED).text('Trellis progress report', left, doc.y);
	doc.moveDown(0.4);
	doc.font('Helvetica-Bold').fontSize(26).fillColor(INK).text(printable(history.label));
	doc.moveDown(0.6);
	const partners = history.partners
		.map((p) => (p.role === 'none' ? p.name : `${p.name} (${p.role} partner)`))
		.join(', ');
	const lines = [
		['Therapist', record.therapistName],
		['Partners', partners || 'None has joined yet'],
		[
			'Covers',
			record.range
				? `${formatCalendarDay(record.range.from)} to ${formatCalendarDay(record.range.to)}`
				: 'Nothing done yet'
		],
		['Prepared', formatDateTime(record.generatedAt, record.timeZone)],
		[
			'Clock',
			`Dates and times are in ${record.timeZone} (${zoneLabel(record.generatedAt, record.timeZone)})`
		]
	];
	for (const [label, value] of lines) {
		doc
			.font('Helvetica-Bold')
			.fontSize(11)
			.fillColor(INK)
			.text(`${label}: `, left, doc.y, { continued: true })
			.font('Helvetica')
			.text(printable(value));
	}
	doc.moveDown(1);

	// The notice sits in a shaded box on the first page, before any number.
	const width = contentWidth(doc);
	const body =
		'The scores in this report come from exercises written for Trellis to structure the ' +
		'conversation in therapy. They are not validated psychometric instruments and not a diagnosis. ' +
		NOISE_NOTICE;
	doc.font('Helvetica-Bold').fontSize(13);
	const titleHeight = doc.heightOfString(NOT_VALIDATED_NOTICE, { width: width - 24 });
	doc.font('Helvetica').fontSize(10);
	const bodyHeight = doc.heightOfString(printable(body), { width: width - 24 });
	const top = doc.y;
	const height = titleHeight + bodyHeight + 30;
	doc.save().rect(left, top, width, height).fillAndStroke(NOTICE_FILL, '#d97706').restore();
	doc
		.font('Helvetica-Bold')
		.fontSize(13)
		.fillColor(INK)
		.text(NOT_VALIDATED_NOTICE, left + 12, top + 12, { width: width - 24 });
	doc.moveDown(0.4);
	doc
		.font('Helvetica')
		.fontSize(10)
		.text(printable(body), left + 12, doc.y, { width: width - 24 });
	doc.y = top + height + 12;
	doc.x = left;
	smallPrint(
		doc,
		'Confidential: this report holds clinical information about the couple. Psychotherapy notes ' +
			'are never part of it.'
	);
}

/** A line chart of one measure: 0-100 up the side, time along the bottom, the band shaded. */
function chart(doc: Doc, measure: Measure, names: string[], timeZone: string) {
	const height = 150;
	ensureSpace(doc, height + 60);
	const left = doc.page.margins.left + 28;
	const width = contentWidth(doc) - 36;
	const top = doc.y + 6;
	const times = measure.points.map((p) => new Date(p.date).getTime());
	const first = Math.min(...times);
	const span = Math.max(...times) - first;
	const xOf = (t: number) => (span === 0 ? left + width / 2 : left + ((t - first) / span) * width);
	const yOf = (v: number) => top + height - (v / 100) * height;

	if (measure.band) {
		doc
			.save()
			.rect(left, yOf(measure.band.high), width, yOf(measure.band.low) - yOf(measure.band.high))
			.fill(BAND)
			.restore();
	}
	doc.save().lineWidth(0.5).strokeColor(RULE);
	for (const tick of [0, 25, 50, 75, 100]) {
		doc
			.moveTo(left, yOf(tick))
			.lineTo(left + width, yOf(tick))
			.stroke();
		doc
			.font('Helvetica')
			.fontSize(7)
			.fillColor(MUTED)
			.text(String(tick), left - 26, yOf(tick) - 3, {
				width: 20,
				align: 'right',
				lineBreak: false
			});
	}
	doc.restore();
	const labelled = [...new Set([0, Math.floor((times.length - 1) / 2), times.length - 1])];
	for (const index of labelled) {
		doc
			.font('Helvetica')
			.fontSize(7)
			.fillColor(MUTED)
			.text(formatDayMonth(times[index], timeZone), xOf(times[index]) - 30, top + height + 6, {
				width: 60,
				align: 'center',
				lineBreak: false
			});
	}

	names.forEach((_, series) => {
		const style = SERIES[series % SERIES.length];
		const points = measure.points
			.map((p, i) => ({ x: xOf(times[i]), v: p.values[series] }))
			.filter((p): p is { x: number; v: number } => p.v !== null);
		doc.save().lineWidth(1.5).strokeColor(style.colour).fillColor(style.colour);
		if (style.dash) doc.dash(style.dash[0], { space: style.dash[1] });
		points.forEach((p, i) => {
			if (i === 0) doc.moveTo(p.x, yOf(p.v));
			else doc.lineTo(p.x, yOf(p.v));
		});
		if (points.length > 1) doc.stroke();
		doc.undash();
		for (const p of points) {
			if (style.marker === 'circle') doc.circle(p.x, yOf(p.v), 2.5).fill();
			else doc.rect(p.x - 2.5, yOf(p.v) - 2.5, 5, 5).fill();
		}
		doc.restore();
	});

	// The legend names each line by its style as well as its colour.
	let x = left;
	const legendY = top + height + 20;
	names.forEach((name, series) => {
		if (measure.points.every((p) => p.values[series] === null)) return;
		const style = SERIES[series % SERIES.length];
		doc.save().lineWidth(1.5).strokeColor(style.colour).fillColor(style.colour);
		if (style.dash) doc.dash(style.dash[0], { space: style.dash[1] });
		doc
			.moveTo(x, legendY + 4)
			.lineTo(x + 22, legendY + 4)
			.stroke();
		doc.undash();
		if (style.marker === 'circle') doc.circle(x + 11, legendY + 4, 2.5).fill();
		else doc.rect(x + 8.5, legendY + 1.5, 5, 5).fill();
		doc.restore();
		const label = printable(`${name} (${style.marker}s, ${style.dash ? 'dashed' : 'solid'})`);
		doc
			.font('Helvetica')
			.fontSize(8)
			.fillColor(INK)
			.text(label, x + 26, legendY, { lineBreak: false });
		x += 26 + doc.widthOfString(label) + 18;
	});
	if (measure.band) {
		doc.save().rect(x, legendY, 22, 8).fill(BAND).restore();
		doc
			.font('Helvetica')
			.fontSize(8)
			.fillColor(INK)
			.text('usual range (noise band)', x + 26, legendY, { lineBreak: false });
	}
	doc.x = doc.page.margins.left;
	doc.y = legendY + 18;
}

/** The partners' names (in the charts and tables) and ids (to score by), in the same order. */
function partnersOf(record: ExportRecord) {
	const { partners } = record.history;
	return { names: partners.map((p) => p.name), userIds: partners.map((p) => p.userId) };
}

function scoresOverTime(doc: Doc, record: ExportRecord) {
	const { names, userIds } = partnersOf(record);
	const list = trends(record.history.scored, userIds);
	const noTrend = 'No exercise has been completed twice yet, so there is no trend to show.';
	if (!section(doc, 'Scores over time', list, noTrend)) return;
	for (const trend of list) {
		for (const measure of trend.measures) {
			// The heading stays on the page of its chart.
			ensureSpace(doc, 280);
			const labels = seriesLabels(measure, names);
			heading(doc, `${trend.title}: ${measureTitle(measure, names)}`, 12);
			chart(doc, measure, labels, record.timeZone);
			if (measure.band) {
				smallPrint(
					doc,
					`Started around ${measure.band.baseline}; usual range ${measure.band.low} to ${measure.band.high} ` +
						`(± ${measure.band.halfWidth}). Scores marked "outside" lie beyond it.`
				);
				doc.moveDown(0.3);
			}
			table(
				doc,
				['Date', ...labels.map((n) => `${n} (0-100)`)],
				measure.points.map((p) => [
					formatDate(p.date, record.timeZone),
					...p.values.map((v, i) => (v === null ? '-' : p.beyond[i] ? `${v} (outside)` : String(v)))
				])
			);
		}
	}
}

function agreementOverTime(doc: Doc, record: ExportRecord) {
	const points = agreementHistory(record.history.scored);
	const noneRated = 'No boundary scenarios have been rated by both partners yet.';
	if (!section(doc, 'Agreement over time', points, noneRated)) return;
	smallPrint(
		doc,
		'The share of scenarios both partners rated the same, and weighted agreement (Cohen’s kappa ' +
			'with linear weights over ok < talk first < crosses the line).'
	);
	doc.moveDown(0.3);
	table(
		doc,
		['Date', 'Exercise', 'Rated the same', 'Weighted kappa', 'Scenarios'],
		points.map((p) => [
			formatDate(p.date, record.timeZone),
			p.title,
			p.rate === null ? '-' : `${Math.round(p.rate * 100)}%`,
			p.kappa === null ? 'Not enough variation' : String(p.kappa),
			String(p.compared)
		]),
		[70, '*', 80, 90, 60]
	);
}

function divergencesNow(doc: Doc, record: ExportRecord) {
	const { names, userIds } = partnersOf(record);
	const items = latestDivergences(record.history.scored, userIds);
	const noneApart = 'The latest exercises show no item the partners answered differently.';
	if (!section(doc, 'Where they differ now', items, noneApart)) return;
	table(
		doc,
		['Exercise', 'Item', ...names, 'Apart'],
		items.map((d) => [
			`${d.title} (${formatDate(d.date, record.timeZone)})`,
			d.prompt,
			...d.answers,
			`${d.distance} step${d.distance === 1 ? '' : 's'} (${Math.round(d.share * 100)}% of the scale)`
		])
	);
}

function agreedNow(doc: Doc, record: ExportRecord) {
	const noneAgreed = 'No joint answers have been recorded yet.';
	if (!section(doc, 'What the couple has agreed', record.agreements, noneAgreed)) return;
	for (const agreement of record.agreements) {
		heading(
			doc,
			`${agreement.title}, agreed by ${formatDate(agreement.decidedAt, record.timeZone)}`,
			12
		);
		table(
			doc,
			['Item', 'Agreed'],
			agreement.entries.map((e) => [e.prompt, answerText(e.item, e.value)]),
			['*', 180]
		);
	}
}

function progressNotes(doc: Doc, record: ExportRecord) {
	const noneSigned = 'No progress note has been signed yet.';
	if (!section(doc, 'Signed progress notes', record.notes, noneSigned)) return;
	for (const note of record.notes) {
		heading(
			doc,
			`Session of ${formatCalendarDay(note.sessionDate)} (${TEMPLATES[note.template].label}), signed ${formatDateTime(note.signedAt, record.timeZone)}`,
			12
		);
		for (const field of TEMPLATES[note.template].fields) {
			const text = note.body[field.id]?.trim();
			if (text) labelled(doc, `${field.label}: `, text);
		}
		for (const addendum of note.addenda) {
			const signed = formatDateTime(addendum.signedAt, record.timeZone);
			labelled(doc, `Addendum signed ${signed}: `, addendum.text);
		}
	}
}

/** The footer of every page: whose report, the notice again, and the page number. */
function footers(doc: Doc, label: string) {
	const range = doc.bufferedPageRange();
	for (let i = range.start; i < range.start + range.count; i++) {
		doc.switchToPage(i);
		const margin = doc.page.margins.bottom;
		// Writing below the bottom margin would otherwise start a new page.
		doc.page.margins.bottom = 0;
		doc
			.font('Helvetica')
			.fontSize(8)
			.fillColor(MUTED)
			.text(
				printable(
					`Trellis · ${label} · ${NOT_VALIDATED_NOTICE} · Page ${i - range.start + 1} of ${range.count}`
				),
				doc.page.margins.left,
				doc.page.height - margin + 24,
				{ width: contentWidth(doc), align: 'center', lineBreak: false }
			);
		doc.page.margins.bottom = margin;
	}
}

export function toPdf(record: ExportRecord): Promise<Buffer> {
	const label = record.history.label;
	const doc = new PDFDocument({
		size: 'A4',
		margins: { top: 56, bottom: 64, left: 56, right: 56 },
		bufferPages: true,
		lang: 'en',
		displayTitle: true,
		info: {
			Title: `Trellis progress report: ${label}`,
			Author: record.therapistName,
			Subject: NOT_VALIDATED_NOTICE,
			Creator: 'Trellis'
		}
	});
	const chunks: Buffer[] = [];
	doc.on('data', (chunk: Buffer) => chunks.push(chunk));
	const finished = new Promise<Buffer>((resolve, reject) => {
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});
	titleBlock(doc, record);
	scoresOverTime(doc, record);
	agreementOverTime(doc, record);
	divergencesNow(doc, record);
	agreedNow(doc, record);
	progressNotes(doc, record);
	footers(doc, label);
	doc.end();
	return finished;
}
