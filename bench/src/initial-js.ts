import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '@cairn/kube-testenv';
import type { Page, Response } from 'playwright-core';

/** One JavaScript file a page loaded, with whose it is. */
export interface LoadedScript {
  /** `shell`, or the remote's folder name (`mfe-workloads`). */
  owner: string;
  path: string;
  bytes: number;
  gzipBytes: number;
  /** Bytes of the body as the gateway sent it (after its Content-Encoding, if any), and that encoding. */
  wireBytes: number;
  encoding: string;
  /** Where the bytes were measured: the built file under dist/apps, or the response body. */
  source: 'dist' | 'response';
}

/**
 * Records the JavaScript a page loads (script tags, module imports, es-module-shims' fetches):
 * `/remotes/<name>/…` belongs to that remote, everything else to the shell. Sizes are of the
 * built files under dist/apps/<owner>/browser, gzipped at level 6 (gzip's default).
 */
export function recordScripts(page: Page): () => Promise<LoadedScript[]> {
  const responses: Response[] = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (/\.m?js$/.test(path) && response.status() === 200) responses.push(response);
  });
  return async () => {
    const seen = new Set<string>();
    const scripts: LoadedScript[] = [];
    for (const response of responses) {
      const path = new URL(response.url()).pathname;
      if (seen.has(path)) continue;
      seen.add(path);
      const remote = /^\/remotes\/([^/]+)\/(.+)$/.exec(path);
      const owner = remote ? (remote[1] as string) : 'shell';
      const file = join(repoRoot(), 'dist/apps', owner, 'browser', remote ? (remote[2] as string) : path.slice(1));
      let body: Buffer | undefined;
      let source: LoadedScript['source'] = 'dist';
      if (existsSync(file)) body = readFileSync(file);
      else {
        body = await response.body().catch(() => undefined);
        source = 'response';
      }
      if (!body) continue;
      const wireBytes = (await response.request().sizes().catch(() => undefined))?.responseBodySize ?? Number.NaN;
      const encoding = (await response.headerValue('content-encoding').catch(() => null)) ?? 'identity';
      scripts.push({ owner, path, bytes: body.length, gzipBytes: gzipSync(body, { level: 6 }).length, wireBytes, encoding, source });
    }
    return scripts;
  };
}

/** `owner`'s files: how many, their bytes, gzipped (level 6), and as sent, with the encodings they were sent in. */
export function gzipTotal(scripts: LoadedScript[], owner: string): { files: number; bytes: number; gzipBytes: number; wireBytes: number; encodings: string } {
  const mine = scripts.filter((s) => s.owner === owner);
  return {
    files: mine.length,
    bytes: mine.reduce((a, s) => a + s.bytes, 0),
    gzipBytes: mine.reduce((a, s) => a + s.gzipBytes, 0),
    wireBytes: mine.reduce((a, s) => a + s.wireBytes, 0),
    encodings: [...new Set(mine.map((s) => s.encoding))].sort().join('/'),
  };
}

/** The biggest files of `owner`, for saying why a budget is missed. */
export function biggest(scripts: LoadedScript[], owner: string, n = 3): string {
  return scripts
    .filter((s) => s.owner === owner)
    .sort((a, b) => b.gzipBytes - a.gzipBytes)
    .slice(0, n)
    .map((s) => `${s.path.split('/').pop()} ${(s.gzipBytes / 1024).toFixed(0)} KB`)
    .join(', ');
}
