import { BadGatewayException, HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ApiErrorBody, WhoAmI } from '@cairn/api-contracts';
import { call, UnreachableError } from './oidc/http';
import { AUTH_SETTINGS, AuthSettings } from './settings/auth-settings';

/**
 * The gateway, as the auth service asks it one thing: who a bearer token is at a cluster
 * (a SelfSubjectReview made by the gateway with that token). The auth service never talks
 * to API servers itself.
 */
/** How the question reaches the gateway: over HTTP (two services), or in memory (all-in-one). */
export type GatewayTransport = (path: string, headers: Record<string, string>) => Promise<{ status: number; body: string }>;

@Injectable()
export class GatewayClient {
  /** Set by the all-in-one process (apps/console): the gateway in this process, asked without a socket. */
  private transport: GatewayTransport | undefined;

  constructor(@Inject(AUTH_SETTINGS) private readonly settings: AuthSettings) {}

  /** Asks the gateway in this same process instead of CAIRN_GATEWAY_URL (the all-in-one mode). */
  useTransport(transport: GatewayTransport): void {
    this.transport = transport;
  }

  async whoAmI(cluster: string, token: string): Promise<WhoAmI> {
    const path = `/api/v1/clusters/${encodeURIComponent(cluster)}/whoami`;
    const url = new URL(path.slice(1), this.settings.gatewayUrl);
    const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
    let answer;
    try {
      answer = this.transport ? await this.transport(path, headers) : await call(url, undefined, { headers, timeoutMs: 15_000 });
    } catch (err) {
      const reason = err instanceof UnreachableError ? err.message : (err as Error).message;
      throw new BadGatewayException(`The token could not be checked: the gateway at ${this.settings.gatewayUrl.origin} did not answer (${reason}).`);
    }
    let body: Partial<WhoAmI & ApiErrorBody> = {};
    try {
      body = JSON.parse(answer.body) as Partial<WhoAmI & ApiErrorBody>;
    } catch {
      // judged by the status below
    }
    if (answer.status === 200 && typeof body.username === 'string') return { username: body.username, ...(body.uid ? { uid: body.uid } : {}), groups: body.groups ?? [] };
    if (answer.status === 401) {
      throw new UnauthorizedException(`Cluster ${cluster} did not accept this token: it is wrong, expired or revoked. Get a new one with: kubectl create token <service-account> -n <namespace>`);
    }
    if (answer.status === 404) throw new HttpException(`There is no cluster named ${cluster} in this console.`, HttpStatus.NOT_FOUND);
    if (answer.status === 403) {
      // SelfSubjectReview is allowed to every authenticated user; a 403 means the token works but is fenced in oddly.
      throw new HttpException(`Cluster ${cluster} accepted the token but would not say who it is: ${body.message ?? 'forbidden'}`, HttpStatus.FORBIDDEN);
    }
    throw new BadGatewayException(`The token could not be checked against cluster ${cluster}: ${body.message ?? `HTTP ${answer.status}`}`);
  }
}
