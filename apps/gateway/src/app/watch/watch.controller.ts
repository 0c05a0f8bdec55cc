import { Controller, Get, HttpException, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod/mini';
import { QueryParams } from '@cairn/server-runtime';
import { WatchQuery } from '@cairn/api-contracts/requests';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KubeService } from '../kube/kube.service';
import { PerIdentityLimit } from '../kube/per-identity-limit';
import type { Caller } from '../auth/callers';
import { resourcePath } from '../kube/resource-paths';
import { Behind, DeliveryMemo, SerializedEvent, serialize, WatchHub } from './watch-hub';
import type { WatchEventOut } from '@cairn/api-contracts';

const HEARTBEAT_MS = 15_000;
/**
 * One upstream event goes to every tab that shares the watch as the same text: it was
 * serialised once when it arrived (SerializedEvent), and each tab's frame only adds its own
 * subscription id in front.
 */
export function watchFrame(id: string, event: SerializedEvent | WatchEventOut): string {
  const json = 'json' in event && typeof event.json === 'string' ? event.json : JSON.stringify(event);
  return `event: watch\ndata: {"id":${JSON.stringify(id)}${json.length > 2 ? `,${json.slice(1)}` : '}'}\n\n`;
}

/**
 * The frame of `event` for subscription `id`, made once per delivery for every tab that has that
 * id (`memo`, see DeliveryMemo). Written to the sockets as text: the socket encodes it into its
 * own write, so a delivery makes no Buffer (a Buffer per frame was garbage outside the V8 heap,
 * which V8 collects late: issue 20's 128 MiB pod).
 */
export function watchFrameText(id: string, event: SerializedEvent, memo: DeliveryMemo): string {
  let text = memo.get(id);
  if (text === undefined) {
    text = watchFrame(id, event);
    memo.set(id, text);
  }
  return text;
}

@ApiTags('watch')
@Controller('api/v1/watch')
export class WatchController {
  /** Open streams (tabs) per identity: CAIRN_MAX_STREAMS_PER_USER. */
  private readonly streamsPerUser: PerIdentityLimit;

  constructor(
    private readonly kube: KubeService,
    private readonly hub: WatchHub,
  ) {
    this.streamsPerUser = new PerIdentityLimit(kube.limits.streamsPerUser, 'watch streams', 'CAIRN_MAX_STREAMS_PER_USER');
  }

  @Get()
  @ApiOperation({
    summary:
      'One server-sent-events stream per browser tab, multiplexing many watches. Each `watch` event is {id, type, object|items, resourceVersion}; type RESYNC carries the whole state after a 410; ERROR carries the status. Reconnect with each subscription\u2019s last resourceVersion to resume.',
  })
  async stream(@QueryParams(WatchQuery) { subscriptions }: z.output<typeof WatchQuery>, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // Credentials and paths are checked before the stream opens, so a bad request gets a plain 4xx.
    const prepared = await Promise.all(
      subscriptions.map(async (s) => ({
        s,
        path: resourcePath({ group: s.group, version: s.version, resource: s.resource, namespace: s.namespace }),
        // Through a promise, so an unknown cluster (thrown at once) is this subscription's ERROR, not the whole stream's.
        caller: await Promise.resolve()
          .then(() => this.kube.caller(request, s.cluster))
          .catch((err: unknown) => (err instanceof HttpException ? err : new HttpException((err as Error).message, 500))),
      })),
    );
    // HEAD learns that the stream would open, and opens nothing upstream.
    if (request.method === 'HEAD') {
      void reply.code(200).type('text/event-stream; charset=utf-8').header('cache-control', 'no-store').send();
      return;
    }
    // Each identity behind the stream counts it once; past the bound, a 429 before the stream opens.
    const identities = [...new Set(prepared.map((p) => p.caller).filter((c): c is Caller => !(c instanceof HttpException)).map((c) => c.identity))];
    const releases: Array<() => void> = [];
    try {
      for (const identity of identities) releases.push(this.streamsPerUser.acquire(identity));
    } catch (err) {
      for (const release of releases) release();
      throw err;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    // Nobody to watch for (every subscription refused): the tab gets each refusal, and the
    // connection is not held open for a caller no cluster accepts.
    const nobody = identities.length === 0;
    const stops: Array<() => void> = [];
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      release();
      this.hub.streams.delete(res);
      for (const stop of stops) stop();
      for (const release of releases) release();
      res.end();
    };
    // A tab that cannot keep up is told to reconnect instead of buffering without bound (CAIRN_MAX_STREAM_BUFFER_BYTES).
    const maxBuffered = this.kube.limits.streamBufferBytes;
    // Backpressure: while this tab's socket holds more than its high-water mark, the upstream
    // watches it follows wait for it to drain (see UPSTREAM_STALL_MS).
    let behind: (Behind & { release: () => void }) | undefined;
    const release = () => {
      behind?.release();
      behind = undefined;
    };
    res.on('drain', release);
    this.hub.streams.add(res);
    // Not corked to batch the frames of a tick: what a cork holds back counts in writableLength,
    // so a tab that reads at once would be dropped as if it had fallen behind.
    const send = (id: string, event: SerializedEvent, memo: DeliveryMemo = new Map()): Behind | undefined => {
      if (closed) return undefined;
      const ok = res.write(watchFrameText(id, event, memo));
      if (res.writableLength > maxBuffered) {
        res.write(`event: overflow\ndata: ${JSON.stringify({ message: 'This tab fell too far behind; reconnect with each subscription\u2019s last resourceVersion.' })}\n\n`);
        close();
        return undefined;
      }
      if (ok) return undefined;
      if (!behind) {
        let done = () => undefined as void;
        const drained = new Promise<void>((resolve) => (done = resolve));
        behind = { since: Date.now(), drained, release: done };
      }
      return behind;
    };
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    request.raw.on('close', close);
    res.on('close', close);
    for (const { s, path, caller } of prepared) {
      if (caller instanceof HttpException) {
        send(s.id, serialize({ type: 'ERROR', status: caller.getStatus(), message: caller.message }));
        continue;
      }
      try {
        stops.push(this.hub.subscribe(caller, { cluster: s.cluster, path, labelSelector: s.labelSelector, fieldSelector: s.fieldSelector }, s.resourceVersion, (event, memo) => send(s.id, event, memo)));
      } catch (err) {
        // Over CAIRN_MAX_WATCHES_PER_USER: this subscription is refused, the others go on.
        send(s.id, serialize({ type: 'ERROR', status: err instanceof HttpException ? err.getStatus() : 500, message: (err as Error).message }));
      }
    }
    if (nobody) close();
  }
}
