import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface Timing {
  status: number;
  /** Request sent → response headers, ms. */
  ttfb: number;
  /** Request sent → last byte of the body, ms. */
  total: number;
  bytes: number;
}

/**
 * A GET over a kept-alive connection that reads the whole body and times it. Used for both
 * the gateway (http) and the API server (https) so the client side costs the same.
 */
export class TimedClient {
  private readonly agent: HttpAgent | HttpsAgent;

  constructor(
    private readonly base: URL,
    private readonly headers: Record<string, string>,
    ca?: string,
  ) {
    this.agent = base.protocol === 'https:' ? new HttpsAgent({ ca, keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  }

  get(path: string): Promise<Timing> {
    const send = this.base.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = send(
        { host: this.base.hostname, port: this.base.port, path, method: 'GET', agent: this.agent, headers: { Accept: 'application/json', ...this.headers } },
        (res) => {
          const ttfb = performance.now() - started;
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ttfb, total: performance.now() - started, bytes }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
