import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** What is worth compressing: text the browser asks for. Images and fonts are compressed already. */
const TEXT = new Set(['.js', '.mjs', '.css', '.json', '.html', '.svg', '.txt', '.map', '.ico']);
/** Smaller files gain too little (a TCP segment holds them either way). */
const MIN_BYTES = 1024;
/** A compressed copy is written only when it saves at least a tenth. */
const KEEP_BELOW = 0.9;

/**
 * Writes `<file>.br` (Brotli, quality 11) and `<file>.gz` (gzip, level 9) beside each text file
 * of a built front end (`dir`, e.g. dist/apps/shell/browser, walked recursively), for the
 * gateway to send as they are (@fastify/static `preCompressed`): compressed once at build time at
 * the best ratio, not per request on a pod of 100m CPU. Files under MIN_BYTES, and copies that
 * would not save a tenth, are skipped; copies already there are written again. Synchronous:
 * Native Federation's builder ends the process 500 ms after its result.
 *
 * @returns the files compressed and their bytes, and the bytes of the .br and .gz copies written.
 */
export function precompressSync(dir) {
  const summary = { files: 0, bytes: 0, br: 0, gz: 0 };
  for (const file of textFiles(dir)) {
    const raw = readFileSync(file);
    if (raw.length < MIN_BYTES) continue;
    const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
    const gz = gzipSync(raw, { level: 9 });
    summary.files++;
    summary.bytes += raw.length;
    if (br.length < raw.length * KEEP_BELOW) {
      writeFileSync(`${file}.br`, br);
      summary.br += br.length;
    }
    if (gz.length < raw.length * KEEP_BELOW) {
      writeFileSync(`${file}.gz`, gz);
      summary.gz += gz.length;
    }
  }
  return summary;
}

function* textFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* textFiles(path);
    else if (entry.isFile() && TEXT.has(extname(entry.name)) && statSync(path).size > 0) yield path;
  }
}
