/**
 * Writes `<file>.br` and `<file>.gz` beside each text file of a built front end (see
 * precompress.mjs); returns how many files were read, their bytes, and the bytes written per encoding.
 */
export function precompressSync(dir: string): { files: number; bytes: number; br: number; gz: number };
