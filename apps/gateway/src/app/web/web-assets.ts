import fastifyStatic from '@fastify/static';
import { SERVER_PATHS } from '@cairn/api-contracts';
import type { NotFoundFallback } from '@cairn/server-runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BuiltInRemote } from '../mfe-manifest/mfe-manifest.service';

/**
 * Paths the single-page app never owns: a miss there is a real 404, not a client-side route.
 * Missing files elsewhere are told apart by the Accept header (only page loads want HTML),
 * not by a file extension, because Kubernetes names may contain dots.
 */
const NOT_SPA = new RegExp(`^/(${SERVER_PATHS.join('|')})(/|$)`);
/** esbuild and Native Federation put a content hash in every bundle's name. */
const HASHED = /[.-][A-Za-z0-9_-]{8,}\.(js|css|mjs)$/;

function setCacheHeaders(reply: FastifyReply, path: string): void {
  // remoteEntry.json and importmap.json name the current bundles: always revalidate them. `path`
  // is the file sent: for a compressed copy, `<bundle>.br` or `<bundle>.gz`.
  void reply.header('cache-control', HASHED.test(basename(path).replace(/\.(br|gz)$/, '')) ? 'public, max-age=31536000, immutable' : 'no-cache');
}

export function shellDirectory(webRoot: string): string {
  return join(webRoot, 'shell', 'browser');
}

/**
 * The shell's page, as text: the security headers put the response's CSP nonce into it. Never
 * stored, not even for revalidation, since a stored copy would carry a nonce no longer in force.
 * Read on each request (a few hundred bytes), so a rebuilt shell is served at once.
 */
function sendShellPage(reply: FastifyReply, webRoot: string): void {
  let page: string;
  try {
    page = readFileSync(join(shellDirectory(webRoot), 'index.html'), 'utf8');
  } catch {
    // No shell built here (readyz says so): a plain 404, as for any other missing file.
    void reply.callNotFound();
    return;
  }
  void reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
}

/**
 * Serves the shell at `/` and each built-in remote at `/remotes/<folder>/`: a file's Brotli or
 * gzip copy beside it (`<file>.br`, `<file>.gz`, written by the front ends' production build,
 * tools/federation/precompress.mjs) when the browser accepts that encoding, else the file itself,
 * with `Vary: Accept-Encoding` either way. Nothing is compressed per request.
 */
export async function serveWebAssets(
  app: NestFastifyApplication,
  webRoot: string,
  remotes: readonly BuiltInRemote[],
): Promise<void> {
  await app.register(fastifyStatic, {
    root: shellDirectory(webRoot),
    prefix: '/',
    index: false,
    wildcard: true,
    preCompressed: true,
    cacheControl: false,
    setHeaders: setCacheHeaders,
  });
  for (const remote of remotes) {
    await app.register(fastifyStatic, {
      root: remote.directory,
      prefix: `/remotes/${remote.folder}/`,
      decorateReply: false,
      preCompressed: true,
      cacheControl: false,
      setHeaders: setCacheHeaders,
    });
  }
  const fastify = app.getHttpAdapter().getInstance();
  for (const url of ['/', '/index.html']) fastify.get(url, (_request, reply) => sendShellPage(reply, webRoot));
}

/** Deep links (`/workloads/…`) reach the shell's index.html, which routes them in the browser. */
export function spaFallback(webRoot: string): NotFoundFallback {
  const hasShell = existsSync(join(shellDirectory(webRoot), 'index.html'));
  return (request, reply) => {
    const path = request.url.split('?')[0];
    const wantsPage = (request.headers.accept ?? '').includes('text/html');
    if (!hasShell || !['GET', 'HEAD'].includes(request.method) || !wantsPage || NOT_SPA.test(path)) {
      return false;
    }
    sendShellPage(reply, webRoot);
    return true;
  };
}
