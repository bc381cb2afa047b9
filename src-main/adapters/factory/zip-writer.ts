/**
 * A tiny ZIP writer (PKWARE APPNOTE 6.3.x, the subset every unzip reads): local file headers,
 * entries stored or deflated (node:zlib raw deflate, whichever is smaller), a central directory
 * and the end record. No ZIP64 (bundles are a few KB), no encryption, UTF-8 names (flag bit 11).
 * Deterministic: the same entries and time give the same bytes, so a re-written bundle zip is
 * identical.
 */
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../../src-shared/crc32';
import { utf8 } from '../../../src-shared/bytes';

/** One file of the archive. */
interface ZipEntry {
  /** path inside the archive, `/`-separated, no leading `/` */
  name: string;
  data: Uint8Array;
  /** Unix mode bits (e.g. 0o600); stored in the external attributes */
  mode?: number;
}

const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const FLAG_UTF8 = 0x0800;
const VERSION_NEEDED = 20;
/** "made by": Unix (3) << 8 | spec 2.0, so unzip applies the mode bits */
const VERSION_MADE_BY = (3 << 8) | 20;
const MAX_U32 = 0xffff_ffff;

/** MS-DOS date and time of `ms` (local time, 2-second resolution, 1980–2107). */
export function dosDateTime(ms: number): { date: number; time: number } {
  const d = new Date(ms);
  const year = Math.min(Math.max(d.getFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
  };
}

function checkName(name: string): void {
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
    throw new RangeError(`zip: entry name ${JSON.stringify(name)} is not a relative path`);
  }
}

/**
 * Builds a ZIP archive of `entries` with every entry dated `timeMs`.
 * @throws RangeError for a bad entry name or an archive beyond 4 GiB.
 */
export function buildZip(entries: readonly ZipEntry[], timeMs: number): Uint8Array {
  const { date, time } = dosDateTime(timeMs);
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    checkName(e.name);
    const name = utf8(e.name);
    const crc = crc32(e.data);
    const deflated = new Uint8Array(deflateRawSync(e.data, { level: 9 }));
    const useDeflate = deflated.length < e.data.length;
    const body = useDeflate ? deflated : e.data;
    const method = useDeflate ? METHOD_DEFLATE : METHOD_STORE;

    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, VERSION_NEEDED, true);
    lv.setUint16(6, FLAG_UTF8, true);
    lv.setUint16(8, method, true);
    lv.setUint16(10, time, true);
    lv.setUint16(12, date, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, e.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, 0, true);
    local.set(name, 30);

    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, VERSION_MADE_BY, true);
    cv.setUint16(6, VERSION_NEEDED, true);
    cv.setUint16(8, FLAG_UTF8, true);
    cv.setUint16(10, method, true);
    cv.setUint16(12, time, true);
    cv.setUint16(14, date, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, e.data.length, true);
    cv.setUint16(28, name.length, true);
    // extra length, comment length, disk number start, internal attributes: 0
    cv.setUint32(38, (((e.mode ?? 0o644) | 0o100000) << 16) >>> 0, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);

    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
    if (offset > MAX_U32) throw new RangeError('zip: archive larger than 4 GiB (no ZIP64 here)');
  }
  const centralSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + centralSize + end.length);
  let o = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, o);
    o += part.length;
  }
  return out;
}
