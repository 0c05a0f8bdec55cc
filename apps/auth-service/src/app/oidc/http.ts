import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpCall {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

/** Refused or unanswered: the other side could not be reached at all. */
export class UnreachableError extends Error {}

/**
 * The HTTPS agent for the OpenID provider: the system roots plus CAIRN_CA_BUNDLE, with
 * keep-alive (the provider is one host, called on every sign-in and refresh).
 */
export function providerAgent(extraCa: string[]): Agent {
  return new Agent({ keepAlive: true, ...(extraCa.length ? { ca: [...rootCertificates, ...extraCa] } : {}) });
}

/** One request, redirects not followed, the body read whole (answers here are small JSON). */
export function call(url: string | URL, agent: Agent | undefined, options: HttpCall = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(target.protocol === 'https:' && agent ? { agent } : {}),
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > 1024 * 1024) req.destroy(new Error(`${target.origin} sent more than 1 MiB`));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new UnreachableError(`${target.origin} did not answer within ${(options.timeoutMs ?? 10_000) / 1000} s`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof UnreachableError) reject(err);
      else if (err.code && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT)$/.test(err.code)) reject(new UnreachableError(`${target.origin} could not be reached (${err.code})`));
      else if (err.code && /CERT|SSL|SELF_SIGNED|UNABLE_TO/.test(err.code)) reject(new UnreachableError(`${target.origin} presented a certificate Cairn does not trust (${err.code}); give its CA in CAIRN_CA_BUNDLE`));
      else reject(err);
    });
    req.end(options.body);
  });
}

/** The body as a JSON object, or an error naming what answered. */
export function jsonObject(answer: HttpAnswer, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(answer.body);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`${what} answered HTTP ${answer.status} with something that is not a JSON object`);
}
