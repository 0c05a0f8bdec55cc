import { BadRequestException, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { credentialFor, parseCookies, readCookie, SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE, SessionUser } from '@cairn/session';
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ClaimMapping, ClaimMappingError, DEFAULT_CLAIM_MAPPING, MappedUser, userFromClaims } from '@cairn/kube-model';
import { decodeUserCluster, USER_CLUSTER_HEADER, USER_CLUSTER_PREFIX, UserCluster, UserClusterError } from '../clusters/user-clusters';

/** Who is asking, and with which credential for the cluster at hand. */
export interface Caller {
  token: string;
  user?: SessionUser;
  /** `header`: an Authorization or X-Cairn-Cluster header; `session`: the browser's session cookie. */
  via: 'header' | 'session';
  /** For a user-added cluster: the entry the browser sent, used for this request only. */
  userCluster?: UserCluster;
  /**
   * On a cluster reached by impersonation: whom the gateway acts as, mapped from the claims of
   * the ID token in the caller's sealed session (never from a request header); `token` is then empty.
   */
  impersonate?: MappedUser;
  /**
   * Digest of everything that authenticates this caller's connection (credentialDigest):
   * what shared upstream watches are keyed by.
   */
  credential: string;
  /**
   * Who is behind the request, for per-identity bounds and rate limits: `user:<name>` for a
   * session, `bearer:<digest>` for an Authorization header.
   */
  identity: string;
  /** True when this gateway knows the identity is real (a session it sealed, a bearer a cluster accepted). */
  verified: boolean;
  /** The peer address of the connection (not X-Forwarded-For, which the caller writes). */
  source: string;
}

export const CALLERS = Symbol('CALLERS');


const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * A digest of the whole credential of a connection: the bearer token, the client certificate
 * AND its key, the server, the CA, and the TLS options. Two callers share an upstream (a
 * watch, a rate bucket) only when every one of these is equal, so a caller who knows another's
 * public certificate but not its key gets a different digest (the Headlamp CVE-2025-14269
 * class).
 */
export function credentialDigest(token: string, userCluster?: UserCluster): string {
  const uc = userCluster;
  return sha256(JSON.stringify([token, uc?.server ?? '', uc?.ca ?? '', uc?.cert ?? '', uc?.key ?? '', uc?.insecureSkipTlsVerify ?? false, uc?.tlsServerName ?? '']));
}

/** A signed-in caller as far as this gateway can tell. */
export interface SignedIn {
  identity: string;
  name?: string;
}

export interface CallersOptions {
  /**
   * Asks a configured cluster who owns a bearer token (a SelfSubjectReview); resolves with the
   * user name, or undefined when no configured cluster accepts it. Absent: no configured cluster.
   */
  verifyBearer?: (token: string) => Promise<string | undefined>;
  /** CAIRN_ANONYMOUS_USER_CLUSTERS: anonymous callers may use user-added clusters. */
  anonymousUserClusters?: boolean;
  /** The session cookie's name (GatewaySettings.sessionCookie); default `cairn_session`. */
  sessionCookie?: string;
  /**
   * Called with the peer address before a bearer token is checked with a cluster (work done
   * for a caller not known yet); throws (a 429) to refuse. The per-source request budget.
   */
  beforeVerify?: (source: string) => void;
  /**
   * Clusters reached by impersonation (CAIRN_IMPERSONATE_CLUSTERS) and how an ID token's claims
   * map to a user there (CAIRN_IMPERSONATE_*_CLAIM/_PREFIX). Absent: none.
   */
  impersonation?: { clusters: ReadonlySet<string>; mapping?: ClaimMapping };
}

/** Verified bearers are remembered this long (ms), by digest, so a script is not re-checked on every call. */
const BEARER_CACHE_MS = 60_000;
const BEARER_CACHE_SIZE = 10_000;
/**
 * Session cookies remembered as opened (sealed text → decrypted body, least recently used
 * dropped), so each browser's cookie is decrypted once, not on every request: at most about
 * 256 × 16 KB = 4 MiB for the largest sessions (Keycloak's, split across cookies), well inside
 * seed 001's 128 MiB. Expiry is checked at every request all the same.
 */
const OPENED_SESSIONS_REMEMBERED = 256;

/**
 * Reads the caller's credential from each request: an `Authorization: Bearer` header, or
 * the session cookie the auth service wrote, opened locally with the shared key (no call
 * to the auth service). Nothing is remembered between requests but which bearer digests a
 * cluster accepted in the last minute, and the last OPENED_SESSIONS_REMEMBERED session cookies
 * opened (their decrypted text, so a cookie is decrypted once).
 */
export class Callers {
  private readonly box: SealedBox | undefined;
  private readonly bearers = new Map<string, { name: string | undefined; until: number }>();
  /** Credentials an API server has accepted lately (by credentialDigest): their callers count as verified. */
  private readonly accepted = new Map<string, number>();

  constructor(
    sessionKeys: string[],
    private readonly options: CallersOptions = {},
  ) {
    this.box = sessionKeys.length ? new SealedBox(sessionKeys, SESSION_PURPOSE, { openedCache: OPENED_SESSIONS_REMEMBERED }) : undefined;
  }

  /** Whether this console has any sign-in: sessions (OIDC or bearer login), or a configured cluster to check a bearer with. */
  get hasSignIn(): boolean {
    return Boolean(this.box || this.options.verifyBearer);
  }

  async session(request: FastifyRequest): Promise<Session | undefined> {
    const sealed = readCookie(this.options.sessionCookie ?? SESSION_COOKIE, parseCookies(request.headers.cookie));
    if (!sealed || !this.box) return undefined;
    const session = await this.box.open<Session>(sealed);
    return session?.v === 1 ? session : undefined;
  }

  /**
   * The signed-in caller of `request`: a session this gateway can open that holds a live
   * credential, or an `Authorization: Bearer` token a configured cluster accepts. Undefined
   * for anyone else: no credential, an expired session, a junk bearer.
   */
  async signedIn(request: FastifyRequest): Promise<SignedIn | undefined> {
    const header = request.headers.authorization;
    if (header) {
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      if (!token || !this.options.verifyBearer) return undefined;
      const digest = sha256(token);
      const now = Date.now();
      let known = this.bearers.get(digest);
      if (!known || known.until <= now) {
        // Made-up bearers cost the configured cluster a request each: they share the source's budget.
        this.options.beforeVerify?.(peer(request));
        const name = await this.options.verifyBearer(token).catch(() => undefined);
        known = { name, until: now + BEARER_CACHE_MS };
        if (this.bearers.size >= BEARER_CACHE_SIZE) this.bearers.delete(this.bearers.keys().next().value as string);
        this.bearers.set(digest, known);
      }
      return known.name === undefined ? undefined : { identity: `bearer:${digest}`, name: known.name };
    }
    const session = await this.session(request);
    if (!session) return undefined;
    const now = Date.now() / 1000;
    const live = [session.oidc, ...Object.values(session.tokens ?? {})].find((c) => c && (c.expiresAt === undefined || c.expiresAt > now));
    return live ? { identity: `user:${live.user.name}`, name: live.user.name } : undefined;
  }

  /**
   * The signed-in caller, or a 401 (403 where nobody can sign in) that opens no connection:
   * what every endpoint needs before it dials a user-added cluster or parses a user's
   * document (issue 19: no anonymous relay). `anonymous` is returned only when
   * CAIRN_ANONYMOUS_USER_CLUSTERS allows it.
   */
  async requireSignedIn(request: FastifyRequest, what: string): Promise<SignedIn> {
    const who = await this.signedIn(request);
    if (who) return who;
    if (this.options.anonymousUserClusters) return { identity: `anonymous:${peer(request)}` };
    if (!this.hasSignIn) {
      throw new ForbiddenException(`${what} needs a signed-in user, and this console has no sign-in (no OIDC, no session key, no configured cluster); whoever runs it may set CAIRN_ANONYMOUS_USER_CLUSTERS=true.`);
    }
    throw new UnauthorizedException(`Sign in first: ${what} is only for signed-in users.`);
  }

  /** Records that an API server accepted `credential` (a 2xx): its caller counts as verified for a minute. */
  accept(credential: string): void {
    if (this.accepted.size >= BEARER_CACHE_SIZE && !this.accepted.has(credential)) this.accepted.delete(this.accepted.keys().next().value as string);
    this.accepted.set(credential, Date.now() + BEARER_CACHE_MS);
  }

  /** The credential for `cluster`, or a 401 that tells the shell what to do. */
  async forCluster(request: FastifyRequest, cluster: string): Promise<Caller> {
    const entry = request.headers[USER_CLUSTER_HEADER];
    const source = peer(request);
    if (cluster.startsWith(USER_CLUSTER_PREFIX)) {
      if (typeof entry !== 'string' || !entry) {
        throw new BadRequestException(`${cluster} is a user-added cluster: send its kubeconfig entry in the ${USER_CLUSTER_HEADER} header.`);
      }
      // Before the entry is even decoded: an anonymous caller makes the gateway dial nothing.
      const who = await this.requireSignedIn(request, 'a user-added cluster');
      try {
        const userCluster = decodeUserCluster(entry);
        const token = userCluster.token ?? '';
        return { token, via: 'header', userCluster, credential: credentialDigest(token, userCluster), identity: who.identity, verified: true, source };
      } catch (err) {
        if (err instanceof UserClusterError) throw new BadRequestException(`Cairn cannot use this cluster: ${err.message}.`);
        throw err;
      }
    }
    if (entry !== undefined) throw new BadRequestException(`The ${USER_CLUSTER_HEADER} header is only for user-added clusters (${USER_CLUSTER_PREFIX}<name>), not for ${cluster}.`);
    if (this.options.impersonation?.clusters.has(cluster)) return this.impersonating(request, cluster, source);
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1]) throw new UnauthorizedException('The Authorization header must be "Bearer <token>".');
      const credential = credentialDigest(match[1]);
      return { token: match[1], via: 'header', credential, identity: `bearer:${sha256(match[1])}`, verified: (this.accepted.get(credential) ?? 0) > Date.now(), source };
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
    return { token: credential.token, user: credential.user, via: 'session', credential: credentialDigest(credential.token), identity: `user:${credential.user.name}`, verified: true, source };
  }

  /**
   * The caller of a cluster reached by impersonation: only a person signed in through the
   * OpenID provider, acting as the user and groups the ID token in their session maps to
   * (kube-model `userFromClaims` with CAIRN_IMPERSONATE_*). That token was verified by the auth
   * service (signature, issuer, audience, nonce) before it sealed the session, and the seal
   * (authenticated encryption with the shared key) is what proves the claims are those it
   * verified; nothing of the request but the session cookie is read. Refused, before any
   * upstream request: an `Authorization` header (403: the gateway would vouch for a token it
   * cannot check), no session (401), a session with only pasted bearer tokens, or one for this
   * cluster (403), an expired ID token (401, `token expired:` so the shell renews it) and claims
   * that map to no usable user (403, naming the claim).
   */
  private async impersonating(request: FastifyRequest, cluster: string, source: string): Promise<Caller> {
    const why = `cluster ${cluster} is reached by impersonation (CAIRN_IMPERSONATE_CLUSTERS): the console acts there only for people signed in through its OpenID provider`;
    if (request.headers.authorization !== undefined) {
      throw new ForbiddenException(`A bearer token cannot be used here: ${why}, never for a token it cannot verify. Sign in with the OpenID provider in the console instead.`);
    }
    const session = await this.session(request);
    if (!session) throw new UnauthorizedException(`Sign in first: ${why}.`);
    if (session.tokens && Object.hasOwn(session.tokens, cluster)) {
      throw new ForbiddenException(`Your session holds a bearer token for ${cluster}, which cannot be used: ${why}. Forget that token (DELETE /auth/token/${cluster}) to use your OpenID sign-in.`);
    }
    const oidc = session.oidc;
    if (!oidc) throw new ForbiddenException(`You signed in with a bearer token only: ${why}. Sign in with the OpenID provider.`);
    const claims = jwtClaims(oidc.idToken ?? oidc.token);
    if (!claims) throw new ForbiddenException(`Your session holds no ID token Cairn can read: ${why}. Sign in again with the OpenID provider.`);
    const exp = typeof claims['exp'] === 'number' ? claims['exp'] : oidc.expiresAt;
    if (Math.min(exp, oidc.expiresAt) * 1000 <= Date.now()) throw new UnauthorizedException('token expired: renew the session (POST /auth/refresh) and retry.');
    let impersonate: MappedUser;
    try {
      impersonate = userFromClaims(claims, this.options.impersonation?.mapping ?? DEFAULT_CLAIM_MAPPING);
    } catch (err) {
      if (err instanceof ClaimMappingError) throw new ForbiddenException(`Cairn will not act for you on ${cluster}: ${err.message}. Whoever runs the console can check the OpenID provider's claims and CAIRN_IMPERSONATE_USERNAME_CLAIM / CAIRN_IMPERSONATE_GROUPS_CLAIM.`);
      throw err;
    }
    return {
      token: '',
      impersonate,
      user: oidc.user,
      via: 'session',
      // Watches are shared only by callers impersonating exactly the same user and groups.
      credential: sha256(JSON.stringify(['impersonate', cluster, impersonate.username, impersonate.groups])),
      identity: `user:${oidc.user.name}`,
      verified: true,
      source,
    };
  }
}

/** The payload of a JWT (not checked here: see Callers.impersonating for why it need not be), or undefined when it is not one. */
function jwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The address of the connection's peer (the ingress, behind one): what a caller cannot choose. */
export function peer(request: FastifyRequest): string {
  return request.raw.socket?.remoteAddress ?? 'unknown';
}
