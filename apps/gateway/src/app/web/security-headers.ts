import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { MfeRemote } from '@cairn/api-contracts';
import { randomBytes } from 'node:crypto';

/** What the shell's index.html carries where each response's nonce goes (its `csp-nonce` meta tag). */
export const CSP_NONCE_PLACEHOLDER = 'CAIRN_CSP_NONCE';

/**
 * Headers that keep the console's pages from being framed, sniffed or made to run code from
 * anywhere but the console itself and the remotes it registered. The shell adds its import
 * maps inline, which run with the page's nonce (one per response); where the browser cannot use
 * them, modules load through es-module-shims, which runs them from blob: URLs. Angular injects
 * component styles inline.
 */
export function contentSecurityPolicy(remotes: readonly MfeRemote[], nonce?: string): string {
  const origins = [...new Set(remotes.map((r) => new URL(r.remoteEntry, 'http://self.invalid').origin).filter((o) => o !== 'http://self.invalid'))];
  const extra = origins.length ? ` ${origins.join(' ')}` : '';
  return [
    `default-src 'self'`,
    `script-src 'self'${nonce ? ` 'nonce-${nonce}'` : ''} blob:${extra}`,
    `style-src 'self' 'unsafe-inline'${extra}`,
    `connect-src 'self'${extra}`,
    `img-src 'self' data:${extra}`,
    `font-src 'self' data:${extra}`,
    `frame-ancestors 'none'`,
    `base-uri 'self'`,
    `object-src 'none'`,
  ].join('; ');
}

export function addSecurityHeaders(app: NestFastifyApplication, remotes: () => readonly MfeRemote[]): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (_request, reply, payload) => {
      void reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin').header('x-frame-options', 'DENY');
      if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
      // Computed per page: teams register remotes while the gateway runs. The nonce is new on
      // every response, so the page that carries it is never cached (see web-assets).
      const nonce = randomBytes(18).toString('base64');
      void reply.header('content-security-policy', contentSecurityPolicy(remotes(), nonce));
      return typeof payload === 'string' ? payload.replaceAll(CSP_NONCE_PLACEHOLDER, nonce) : payload;
    });
}
