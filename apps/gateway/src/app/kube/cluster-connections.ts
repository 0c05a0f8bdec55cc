import { HttpException, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { ClusterConfig } from '../clusters/kubeconfig';
import type { GatewaySettings } from '../settings/gateway-settings';

/**
 * HTTPS to the configured API servers. One keep-alive agent per cluster carries every
 * user's requests (a bearer token travels in each request, never in the connection);
 * the identity on each request is the caller's token, never the gateway's.
 */

export interface UpstreamRequest {
  method: string;
  /** Path and query at the API server, e.g. `/api/v1/namespaces/team-a/pods?limit=50`. */
  path: string;
  /** The caller's bearer token; absent only for endpoints the API server serves anonymously (`/version`). */
  token?: string;
  body?: string;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Milliseconds until the response headers must have arrived (default 30 s). */
  timeoutMs?: number;
}

export const CLUSTER_CONNECTIONS = Symbol('CLUSTER_CONNECTIONS');

export class ClusterConnections {
  private readonly logger = new Logger('Clusters');
  private readonly clusters = new Map<string, { config: ClusterConfig; agent: Agent; url: URL }>();

  constructor(settings: Pick<GatewaySettings, 'clusters' | 'extraCa' | 'insecureSkipTlsVerify'>) {
    if (settings.insecureSkipTlsVerify) {
      this.logger.warn('CAIRN_INSECURE_SKIP_TLS_VERIFY is true: the API servers\u2019 certificates are NOT checked; anyone on the path can read and change every request');
    }
    for (const config of settings.clusters) {
      const insecure = settings.insecureSkipTlsVerify || config.insecureSkipTlsVerify;
      if (config.insecureSkipTlsVerify && !settings.insecureSkipTlsVerify) {
        this.logger.warn(`cluster ${config.name}: insecure-skip-tls-verify is set in its kubeconfig; its certificate is not checked`);
      }
      const ca = config.ca ? [config.ca, ...settings.extraCa] : [...rootCertificates, ...settings.extraCa];
      const agent = new Agent({ keepAlive: true, maxSockets: 64, ca, rejectUnauthorized: !insecure, servername: config.tlsServerName });
      this.clusters.set(config.name, { config, agent, url: new URL(config.server) });
    }
  }

  list(): ClusterConfig[] {
    return [...this.clusters.values()].map((c) => c.config);
  }

  config(cluster: string): ClusterConfig {
    return this.entry(cluster).config;
  }

  private entry(cluster: string) {
    const entry = this.clusters.get(cluster);
    if (!entry) {
      const known = [...this.clusters.keys()];
      throw new NotFoundException(`There is no cluster "${cluster}"; ${known.length ? `the configured clusters are ${known.join(', ')}` : 'no cluster is configured (KUBECONFIG)'}.`);
    }
    return entry;
  }

  /** Resolves with the API server's response (any status); rejects with 502/504 when it cannot be reached. */
  request(cluster: string, req: UpstreamRequest): Promise<IncomingMessage> {
    const { agent, url, config } = this.entry(cluster);
    const basePath = url.pathname.replace(/\/+$/, '');
    const headers: Record<string, string> = { Accept: req.accept ?? 'application/json', 'User-Agent': 'cairn-gateway' };
    if (req.token) headers['Authorization'] = `Bearer ${req.token}`;
    if (req.body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(req.body));
    }
    return new Promise((resolve, reject) => {
      const upstream = httpsRequest(
        { host: url.hostname, port: url.port || 443, path: basePath + req.path, method: req.method, headers, agent, signal: req.signal },
        (res) => {
          upstream.setTimeout(0);
          resolve(res);
        },
      );
      upstream.setTimeout(req.timeoutMs ?? 30_000, () => {
        upstream.destroy(new HttpException(`Cluster ${config.name} (${config.server}) did not answer within ${(req.timeoutMs ?? 30_000) / 1000} s.`, HttpStatus.GATEWAY_TIMEOUT));
      });
      upstream.on('error', (err: Error & { code?: string }) => {
        if (err instanceof HttpException || err.name === 'AbortError') reject(err);
        else reject(new HttpException(`Cluster ${config.name} (${config.server}) cannot be reached: ${describeNetworkError(err)}.`, HttpStatus.BAD_GATEWAY));
      });
      upstream.end(req.body);
    });
  }
}

function describeNetworkError(err: Error & { code?: string }): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the API server running?)';
    case 'ENOTFOUND':
      return 'its host name does not resolve';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return `its certificate is not trusted (${err.code}); give its CA in the kubeconfig or CAIRN_CA_BUNDLE`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'its certificate does not name this host';
    default:
      return err.message;
  }
}

/** The whole body of a response, as text. */
export async function readBody(res: IncomingMessage, limit = 64 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpException('The API server\u2019s answer is too large to process.', HttpStatus.BAD_GATEWAY);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
