import {
  createServer,
  IncomingMessage,
  request as forward,
  Server,
  ServerResponse,
} from 'node:http';

/** One request as the front saw it: which replica answered, with what, and whether it is still open. */
export interface Served {
  method: string;
  /** Path and query, as the browser sent them. */
  url: string;
  /** Index of the replica that answered; undefined while held or when none could. */
  replica?: number;
  status?: number;
  /** Set when the response has ended or its connection dropped (a stream that is still open has none). */
  ended?: boolean;
  /** Replicas that refused the connection before another answered (a dead replica). */
  refusedBy: number[];
}

export interface Held {
  /** Resolves when a matching request arrives, before any replica sees it. */
  arrived: Promise<Served>;
  /** Lets the held request go on to a replica. */
  release(): void;
}

/**
 * The load balancer in front of several console replicas, as a Kubernetes Service or an ingress
 * without session affinity would be: each request (a server-sent-events stream is one request)
 * goes to the next replica in turn, with Host, Origin and cookies passed through unchanged.
 * A replica that refuses the connection (its process is gone) is skipped and the request goes to
 * the next one, as a Service does once the dead pod's endpoint is removed; a stream whose replica
 * dies is dropped, and the browser must reconnect.
 *
 * For the few hops a story must prove cross replicas, `pin` sends matching requests to a chosen
 * replica and `hold` keeps the next matching request waiting until the story releases it;
 * `served` records every request, so the story can say which replica did what.
 */
export class RoundRobin {
  readonly served: Served[] = [];
  private next = 0;
  private readonly pins: Array<{ match: RegExp; replica: number }> = [];
  private readonly holds: Array<{
    match: RegExp;
    arrive: (s: Served) => void;
    released: Promise<void>;
  }> = [];
  private readonly down = new Set<number>();
  private readonly open = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    private readonly replicaPorts: number[],
  ) {}

  /** Listens on `port` of 127.0.0.1 and spreads requests over the replicas listening on `replicaPorts` there. */
  static async start(
    port: number,
    replicaPorts: number[],
  ): Promise<RoundRobin> {
    const server = createServer();
    const front = new RoundRobin(server, replicaPorts);
    server.on('request', (req, res) => void front.handle(req, res));
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => done());
    });
    return front;
  }

  /** Sends requests whose path and query match to `replica` (while it answers); returns the unpin. */
  pin(match: RegExp, replica: number): () => void {
    const pin = { match, replica };
    this.pins.push(pin);
    return () => this.pins.splice(this.pins.indexOf(pin), 1);
  }

  /** Holds the next request whose path and query match until `release()`. */
  hold(match: RegExp): Held {
    let arrive!: (s: Served) => void;
    let release!: () => void;
    const arrived = new Promise<Served>((done) => (arrive = done));
    const released = new Promise<void>((done) => (release = done));
    this.holds.push({ match, arrive, released });
    return { arrived, release };
  }

  /** Requests whose path and query match, in the order they arrived. */
  requests(match: RegExp): Served[] {
    return this.served.filter((s) => match.test(s.url));
  }

  /** Waits until a recorded request satisfies `ok` (its answer may still be on the way); fails after `timeoutMs`. */
  async whenServed(ok: (s: Served, index: number) => boolean, what: string, timeoutMs = 30_000): Promise<Served> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.served.find(ok);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`The front saw no ${what} in ${timeoutMs / 1000} s; it saw:\n${this.served.map((s) => `${s.method} ${s.url} -> ${s.replica ?? '-'} ${s.status ?? ''}`).join('\n')}`);
      await new Promise((next) => setTimeout(next, 100));
    }
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const served: Served = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      refusedBy: [],
    };
    this.served.push(served);
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
    // Bodies here are small JSON; read whole, a request refused by a dead replica can go to the next.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const held = this.holds.findIndex((h) => h.match.test(served.url));
    if (held >= 0) {
      const [hold] = this.holds.splice(held, 1);
      hold.arrive(served);
      await hold.released;
    }
    for (let tries = 0; tries < this.replicaPorts.length; tries++) {
      const replica = this.choose(served.url);
      if (replica === undefined) break;
      const outcome = await this.send(replica, req, body, res, served);
      if (outcome === 'answered') return;
      served.refusedBy.push(replica);
      this.down.add(replica);
    }
    served.status = 502;
    served.ended = true;
    res
      .writeHead(502, { 'content-type': 'text/plain' })
      .end('No replica answered.');
  }

  private choose(url: string): number | undefined {
    const alive = this.replicaPorts
      .map((_, i) => i)
      .filter((i) => !this.down.has(i));
    if (alive.length === 0) return undefined;
    const pinned = this.pins.find(
      (p) => p.match.test(url) && !this.down.has(p.replica),
    );
    if (pinned) return pinned.replica;
    const replica = alive[this.next % alive.length];
    this.next++;
    return replica;
  }

  /** Forwards to one replica; 'refused' when it took no connection (nothing reached it). */
  private send(
    replica: number,
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
    served: Served,
  ): Promise<'answered' | 'refused'> {
    return new Promise((done) => {
      const upstream = forward({
        host: '127.0.0.1',
        port: this.replicaPorts[replica],
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      });
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') return done('refused');
        // The replica went away mid-answer: the browser sees its connection drop.
        served.ended = true;
        res.destroy();
        done('answered');
      });
      upstream.on('response', (answer) => {
        served.replica = replica;
        served.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // Server-sent events must reach the browser as they come.
        res.flushHeaders();
        answer.pipe(res);
        answer.on('error', () => undefined);
        answer.on('close', () => {
          served.ended = true;
          // The replica went away mid-answer (a stream, say): the browser sees its connection drop.
          if (!answer.complete) res.destroy();
        });
        res.once('close', () => answer.destroy());
        done('answered');
      });
      upstream.end(body);
    });
  }
}
