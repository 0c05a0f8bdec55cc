import { BadRequestException, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { credentialFor, parseCookies, readCookie, SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE, SessionUser } from '@cairn/session';
import type { FastifyRequest } from 'fastify';
import { decodeUserCluster, USER_CLUSTER_HEADER, USER_CLUSTER_PREFIX, UserCluster, UserClusterError } from '../clusters/user-clusters';

/** Who is asking, and with which credential for the cluster at hand. */
export interface Caller {
  token: string;
  user?: SessionUser;
  /** `header`: an Authorization or X-Cairn-Cluster header; `session`: the browser's session cookie. */
  via: 'header' | 'session';
  /** For a user-added cluster: the entry the browser sent, used for this request only. */
  userCluster?: UserCluster;
}

export const CALLERS = Symbol('CALLERS');

export { CSRF_HEADER } from '@cairn/api-contracts';
import { CSRF_HEADER } from '@cairn/api-contracts';

/**
 * Reads the caller's credential from each request: an `Authorization: Bearer` header, or
 * the session cookie the auth service wrote, opened locally with the shared key (no call
 * to the auth service). Nothing is remembered between requests.
 */
export class Callers {
  private readonly box: SealedBox | undefined;

  constructor(sessionKeys: string[]) {
    this.box = sessionKeys.length ? new SealedBox(sessionKeys, SESSION_PURPOSE) : undefined;
  }

  async session(request: FastifyRequest): Promise<Session | undefined> {
    const sealed = readCookie(SESSION_COOKIE, parseCookies(request.headers.cookie));
    if (!sealed || !this.box) return undefined;
    const session = await this.box.open<Session>(sealed);
    return session?.v === 1 ? session : undefined;
  }

  /** The credential for `cluster`, or a 401 that tells the shell what to do. */
  async forCluster(request: FastifyRequest, cluster: string): Promise<Caller> {
    const entry = request.headers[USER_CLUSTER_HEADER];
    if (cluster.startsWith(USER_CLUSTER_PREFIX)) {
      if (typeof entry !== 'string' || !entry) {
        throw new BadRequestException(`${cluster} is a user-added cluster: send its kubeconfig entry in the ${USER_CLUSTER_HEADER} header.`);
      }
      try {
        const userCluster = decodeUserCluster(entry);
        return { token: userCluster.token ?? '', via: 'header', userCluster };
      } catch (err) {
        if (err instanceof UserClusterError) throw new BadRequestException(`Cairn cannot use this cluster: ${err.message}.`);
        throw err;
      }
    }
    if (entry !== undefined) throw new BadRequestException(`The ${USER_CLUSTER_HEADER} header is only for user-added clusters (${USER_CLUSTER_PREFIX}<name>), not for ${cluster}.`);
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw new UnauthorizedException('The Authorization header must be "Bearer <token>".');
      return { token: match[1], via: 'header' };
    }
    const session = await this.session(request);
    if (!session) throw new UnauthorizedException('Sign in first: no session (or it has expired).');
    const credential = credentialFor(session, cluster);
    if (!credential) throw new UnauthorizedException(`You have no credentials for cluster ${cluster}: sign in, or add a bearer token for it.`);
    if (credential.expiresAt !== undefined && credential.expiresAt * 1000 <= Date.now()) {
      throw new UnauthorizedException(
        credential.kind === 'oidc' ? 'token expired: renew the session (POST /auth/refresh) and retry.' : `The bearer token for cluster ${cluster} has expired; give a new one.`,
      );
    }
    return { token: credential.token, user: credential.user, via: 'session' };
  }

  /**
   * A mutating request made with the session cookie must prove it comes from the console:
   * the custom header (which a cross-site form cannot send) and, when present, our Origin.
   */
  assertCsrfSafe(request: FastifyRequest, caller: Caller): void {
    if (caller.via === 'header') return;
    if (request.headers[CSRF_HEADER] !== '1') throw new ForbiddenException(`A change made with the session cookie needs the ${CSRF_HEADER}: 1 header.`);
    const origin = request.headers.origin;
    const host = request.headers.host;
    if (origin && host && new URL(origin).host !== host) throw new ForbiddenException(`Requests from ${origin} may not change anything here.`);
  }
}
