import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { MfeRemote } from '@cairn/api-contracts';

/**
 * Headers that keep the console's pages from being framed, sniffed or made to run code from
 * anywhere but the console itself and the remotes it registered. Remotes load as ES modules
 * through es-module-shims, which runs them from blob: URLs; Angular injects component
 * styles inline.
 */
export function contentSecurityPolicy(remotes: readonly MfeRemote[]): string {
  const origins = [...new Set(remotes.map((r) => new URL(r.remoteEntry, 'http://self.invalid').origin).filter((o) => o !== 'http://self.invalid'))];
  const extra = origins.length ? ` ${origins.join(' ')}` : '';
  return [
    `default-src 'self'`,
    `script-src 'self' blob:${extra}`,
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
      // Computed per page: teams register remotes while the gateway runs.
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) void reply.header('content-security-policy', contentSecurityPolicy(remotes()));
      return payload;
    });
}
