/**
 * Printable pages of the key ceremony (docs/twin-hsm.md): the transcript for the witnesses'
 * signatures, and one page per custodian share with its QR code (byte mode, error correction M)
 * and its own check value. Standard PDF fonts only (pdf-lib); WinAnsi text.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import type { Transcript } from '../../core/ceremony/service';
import type { BackupShare } from '../../core/ceremony/shares';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;

/** Text that the standard fonts can draw (WinAnsi): other characters become '?'. */
const ansi = (t: string) => t.replace(/[…]/g, '...').replace(/[^\x20-\x7e\xa0-\xff]/g, '?');

interface Writer {
  page: PDFPage;
  y: number;
  doc: PDFDocument;
  font: PDFFont;
  mono: PDFFont;
  bold: PDFFont;
}

function line(w: Writer, text: string, opts: { size?: number; font?: PDFFont; indent?: number } = {}): void {
  const size = opts.size ?? 10;
  const font = opts.font ?? w.font;
  const maxWidth = A4[0] - 2 * MARGIN - (opts.indent ?? 0);
  // wrap long lines (fingerprints, hashes) by characters
  let rest = ansi(text);
  while (rest.length > 0) {
    let n = rest.length;
    while (n > 1 && font.widthOfTextAtSize(rest.slice(0, n), size) > maxWidth) n -= 1;
    if (w.y < MARGIN + size) {
      w.page = w.doc.addPage(A4);
      w.y = A4[1] - MARGIN;
    }
    w.page.drawText(rest.slice(0, n), { x: MARGIN + (opts.indent ?? 0), y: w.y - size, size, font });
    w.y -= size * 1.35;
    rest = rest.slice(n);
  }
}

async function writer(): Promise<Writer> {
  const doc = await PDFDocument.create();
  return {
    doc,
    page: doc.addPage(A4),
    y: A4[1] - MARGIN,
    font: await doc.embedFont(StandardFonts.Helvetica),
    mono: await doc.embedFont(StandardFonts.Courier),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
  };
}

/** The transcript as a printable PDF: batch, every step with its facts and hashes, signature lines. */
export async function transcriptPdf(t: Transcript): Promise<Uint8Array> {
  const w = await writer();
  w.doc.setTitle(`Key ceremony transcript, batch ${t.batchId}`);
  line(w, `Key ceremony transcript - batch ${t.batchId}`, { size: 16, font: w.bold });
  if (t.batch !== null) {
    line(w, `Range ${t.batch.firstEui} ... ${t.batch.lastEui}   KCV ${t.batch.kcv}`, { size: 12 });
  }
  line(w, `Station ${t.station}`, { font: w.mono, size: 8 });
  line(w, `Exported ${t.exportedAt}`);
  w.y -= 8;
  for (const c of t.chains) {
    line(
      w,
      `Chain ${c.chain}: ${c.entries.length} entries, ${c.check.ok ? 'verifies' : `BROKEN at entry ${c.check.brokenAt?.seq}: ${c.check.brokenAt?.reason}`}`,
      {
        font: w.bold,
        size: 11,
      },
    );
    for (const e of c.entries) {
      line(w, `${e.seq}. ${e.action}  ${e.at}  by ${e.actor}${e.address ? ` from ${e.address}` : ''}`, {
        indent: 8,
      });
      for (const [k, v] of Object.entries(e.facts)) {
        line(w, `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`, {
          indent: 20,
          font: w.mono,
          size: 8,
        });
      }
      line(w, `hash ${e.hash}`, { indent: 20, font: w.mono, size: 8 });
    }
    w.y -= 6;
  }
  w.y -= 20;
  for (const role of ['Operator (sending station)', 'Operator (receiving station)', 'Witness', 'Witness']) {
    line(w, `${role}:  name ______________________   signature ______________________   date __________`);
    w.y -= 14;
  }
  return w.doc.save();
}

/** One PDF with a page per share: QR code of the share line, its check value, the batch KCV. */
export async function sharesPdf(
  batch: { id: string; first: string; last: string },
  shares: readonly BackupShare[],
): Promise<Uint8Array> {
  const w = await writer();
  w.doc.setTitle(`Custodian backup shares, batch ${batch.id}`);
  let firstPage = true;
  for (const s of shares) {
    if (!firstPage) {
      w.page = w.doc.addPage(A4);
      w.y = A4[1] - MARGIN;
    }
    firstPage = false;
    line(w, `Custodian backup share ${s.share.x} of ${s.n}`, { size: 18, font: w.bold });
    line(w, `Batch ${batch.id}  (${batch.first} ... ${batch.last})`, { size: 11 });
    line(w, `Any ${s.m} of the ${s.n} shares restore the batch root key into the HSM that holds the`, {
      size: 11,
    });
    line(w, 'recovery transport key. Keep this page sealed; never copy it.', { size: 11 });
    w.y -= 10;
    line(w, `Share check value:  ${s.check}`, { size: 22, font: w.mono });
    line(w, `Batch KCV:          ${s.kcv}`, { size: 22, font: w.mono });
    line(w, `Backup set:         ${s.setId}`, { size: 12, font: w.mono });
    const png = await QRCode.toBuffer(s.text, {
      errorCorrectionLevel: 'M',
      margin: 4,
      scale: 4,
      type: 'png',
    });
    const img = await w.doc.embedPng(png);
    const side = 300;
    w.page.drawImage(img, { x: (A4[0] - side) / 2, y: w.y - side - 10, width: side, height: side });
    w.y -= side + 30;
    line(w, s.text, { font: w.mono, size: 7 });
    w.y -= 20;
    line(w, 'Custodian:  name ______________________   signature ______________________');
    w.page.drawRectangle({
      x: MARGIN - 10,
      y: MARGIN - 10,
      width: A4[0] - 2 * MARGIN + 20,
      height: A4[1] - 2 * MARGIN + 20,
      borderColor: rgb(0.6, 0.6, 0.6),
      borderWidth: 1,
    });
  }
  return w.doc.save();
}
