import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * Worker thread of benchmark 2: holds the gateway's SSE subscribers and the one direct
 * API-server watch, so both are read by the same event loop and pay the same client costs,
 * apart from the thread that produces the events. Every event carries `seq` and `sentAt`
 * (ms since the epoch) in the ConfigMap's data; the latency is arrival − sentAt.
 */

export interface SubscriberJob {
  gateway: { url: string; path: string };
  direct: { url: string; path: string; ca: string };
  headers: Record<string, string>;
  count: number;
}

export type FromSubscribers =
  | { type: 'connected'; count: number; failed: number }
  | { type: 'warm' }
  | { type: 'results'; gateway: number[]; direct: number[]; perSubscriber: number[]; errors: string[]; clientLagP99Ms: number };

export type ToSubscribers = { type: 'warmup-seq'; seq: number } | { type: 'stop' };

const job = workerData as SubscriberJob;
const port = parentPort as NonNullable<typeof parentPort>;
const now = () => performance.timeOrigin + performance.now();

const gatewayLatencies: number[] = [];
const directLatencies: number[] = [];
const perSubscriber = new Array<number>(job.count).fill(0);
const errors: string[] = [];
const warmSeen = new Set<number>();
let warmSeq: number | undefined;
let directWarm = false;
let connected = 0;
let failed = 0;
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const requests: Array<{ destroy(): void }> = [];

/** `"seq":"12"` and `"sentAt":"1795404918345.1"` in one event's text. */
function stamp(text: string): { seq: number; sentAt: number } | undefined {
  const seq = /"seq":"(-?\d+)"/.exec(text)?.[1];
  const sentAt = /"sentAt":"([\d.]+)"/.exec(text)?.[1];
  return seq && sentAt ? { seq: Number(seq), sentAt: Number(sentAt) } : undefined;
}

function checkWarm(): void {
  if (warmSeq !== undefined && directWarm && warmSeen.size === job.count) {
    warmSeq = undefined;
    port.postMessage({ type: 'warm' } satisfies FromSubscribers);
  }
}

function onEvent(text: string, subscriber: number | 'direct'): void {
  const s = stamp(text);
  if (!s) return;
  const arrived = now();
  if (s.seq <= 0) {
    if (warmSeq !== undefined && s.seq === warmSeq) {
      if (subscriber === 'direct') directWarm = true;
      else warmSeen.add(subscriber);
      checkWarm();
    }
    return;
  }
  if (subscriber === 'direct') directLatencies.push(arrived - s.sentAt);
  else {
    gatewayLatencies.push(arrived - s.sentAt);
    perSubscriber[subscriber] = (perSubscriber[subscriber] ?? 0) + 1;
  }
}

function subscribe(i: number): void {
  const url = new URL(job.gateway.url);
  const req = httpRequest({ host: url.hostname, port: url.port, path: job.gateway.path, headers: { Accept: 'text/event-stream', ...job.headers }, agent: false }, (res) => {
    if (res.statusCode !== 200) {
      failed++;
      errors.push(`subscriber ${i}: HTTP ${res.statusCode}`);
      res.resume();
      port.postMessage({ type: 'connected', count: connected, failed } satisfies FromSubscribers);
      return;
    }
    connected++;
    port.postMessage({ type: 'connected', count: connected, failed } satisfies FromSubscribers);
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith('event: watch')) onEvent(block, i);
        else if (block.startsWith('event: overflow')) errors.push(`subscriber ${i}: overflow`);
      }
    });
  });
  req.on('error', (err) => {
    if (!stopping) errors.push(`subscriber ${i}: ${err.message}`);
  });
  req.end();
  requests.push(req);
}

function watchDirect(): void {
  const url = new URL(job.direct.url);
  const req = httpsRequest({ host: url.hostname, port: url.port, path: job.direct.path, ca: job.direct.ca, headers: { Accept: 'application/json', ...job.headers }, agent: false }, (res) => {
    if (res.statusCode !== 200) {
      errors.push(`direct watch: HTTP ${res.statusCode}`);
      res.resume();
      return;
    }
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        onEvent(buffer.slice(0, end), 'direct');
        buffer = buffer.slice(end + 1);
      }
    });
  });
  req.on('error', (err) => {
    if (!stopping) errors.push(`direct watch: ${err.message}`);
  });
  req.end();
  requests.push(req);
}

let stopping = false;
port.on('message', (message: ToSubscribers) => {
  if (message.type === 'warmup-seq') {
    warmSeq = message.seq;
    warmSeen.clear();
    directWarm = false;
  } else {
    stopping = true;
    for (const req of requests) req.destroy();
    lag.disable();
    port.postMessage({
      type: 'results',
      gateway: gatewayLatencies,
      direct: directLatencies,
      perSubscriber,
      errors: errors.slice(0, 20),
      clientLagP99Ms: lag.percentile(99) / 1e6,
    } satisfies FromSubscribers);
  }
});

watchDirect();
// Open the streams a few at a time, as tabs would, not in one burst.
let opened = 0;
const opener = setInterval(() => {
  for (let k = 0; k < 25 && opened < job.count; k++) subscribe(opened++);
  if (opened >= job.count) clearInterval(opener);
}, 20);
