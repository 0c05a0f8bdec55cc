import { ApiError } from '@cairn/data-access';
import { TextDecoder as NodeTextDecoder, TextEncoder as NodeTextEncoder } from 'node:util';
import { LogOpener, LogStream, LogStreamListener, StreamedLine, StreamState, timestampKey } from './log-stream';

// jsdom has no TextDecoder; the browser and Node do.
globalThis.TextDecoder ??= NodeTextDecoder as unknown as typeof TextDecoder;
const encode = (s: string) => new NodeTextEncoder().encode(s);

/** A response body the test writes to, as a gateway would. */
class FakeBody {
  private readonly queue: Array<{ value?: Uint8Array; done?: boolean; error?: Error }> = [];
  private waiting: ((r: { value?: Uint8Array; done?: boolean; error?: Error }) => void) | undefined;
  cancelled = false;

  write(text: string): void {
    this.deliver({ value: encode(text) });
  }
  end(): void {
    this.deliver({ done: true });
  }
  fail(message: string): void {
    this.deliver({ error: new TypeError(message) });
  }
  private deliver(item: { value?: Uint8Array; done?: boolean; error?: Error }): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w(item);
    } else this.queue.push(item);
  }
  stream(): ReadableStream<Uint8Array> {
    const next = () => new Promise<{ value?: Uint8Array; done?: boolean; error?: Error }>((resolve) => (this.queue.length ? resolve(this.queue.shift() as never) : (this.waiting = resolve)));
    return {
      getReader: () => ({
        read: async () => {
          const item = await next();
          if (item.error) throw item.error;
          return item.done ? { done: true, value: undefined } : { done: false, value: item.value };
        },
        cancel: async () => {
          this.cancelled = true;
          this.end();
        },
      }),
    } as unknown as ReadableStream<Uint8Array>;
  }
}

function recorder() {
  const lines: StreamedLine[] = [];
  const states: StreamState[] = [];
  const notices: string[] = [];
  const listener: LogStreamListener = {
    lines: (batch) => lines.push(...batch),
    state: (s) => states.push(s),
    notice: (text, kind, source) => notices.push(`${kind}:${source ? `${source.pod}/${source.container}: ` : ''}${text}`),
  };
  return { lines, states, notices, listener };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
};

const target = { kind: 'container', cluster: 'dev', namespace: 'team-a', pod: 'web-1', container: 'web' } as const;

describe('LogStream', () => {
  it('asks for timestamps and the tail, splits chunks into lines, and keeps the timestamp apart', async () => {
    const body = new FakeBody();
    const paths: string[] = [];
    const open: LogOpener = async (path) => (paths.push(path), body.stream());
    const r = recorder();
    const stream = new LogStream(open, target, { follow: true, previous: false, tailLines: 100 }, r.listener).start();
    await settle();
    body.write('2024-05-01T10:00:00.5Z first\n2024-05-01T10:00:01Z sec');
    body.write('ond\r\nno timestamp\n');
    await until(() => r.lines.length === 3);
    expect(paths).toEqual(['api/v1/clusters/dev/namespaces/team-a/pods/web-1/log?container=web&follow=true&timestamps=true&tailLines=100']);
    expect(r.lines).toEqual([
      { pod: 'web-1', container: 'web', timestamp: '2024-05-01T10:00:00.5Z', text: 'first' },
      { pod: 'web-1', container: 'web', timestamp: '2024-05-01T10:00:01Z', text: 'second' },
      { pod: 'web-1', container: 'web', timestamp: undefined, text: 'no timestamp' },
    ]);
    expect(r.states).toEqual([{ phase: 'connecting' }, { phase: 'streaming', reconnected: false }]);
    stream.stop();
    expect(body.cancelled).toBe(true);
  });

  it('reconnects after a drop from the last timestamp, skips the repeats and says so', async () => {
    const bodies = [new FakeBody(), new FakeBody()];
    const paths: string[] = [];
    let opened = 0;
    const open: LogOpener = async (path) => (paths.push(path), bodies[opened++].stream());
    const r = recorder();
    const now = Date.parse('2024-05-01T10:00:10Z');
    const stream = new LogStream(open, target, { follow: true, previous: false, tailLines: 10 }, r.listener, { retryMs: 1, now: () => now }).start();
    await settle();
    bodies[0].write('2024-05-01T10:00:04.25Z a\n2024-05-01T10:00:05Z b\n');
    await until(() => r.lines.length === 2);
    bodies[0].fail('network error');
    await until(() => opened === 2);
    expect(r.states).toContainEqual({ phase: 'reconnecting', inSeconds: 1, reason: 'network error' });
    // Six whole seconds back to 10:00:05, and one more for clocks that disagree; no tail the second time.
    expect(paths[1]).toBe('api/v1/clusters/dev/namespaces/team-a/pods/web-1/log?container=web&follow=true&timestamps=true&sinceSeconds=6');
    bodies[1].write('2024-05-01T10:00:04.25Z a\n2024-05-01T10:00:05Z b\n2024-05-01T10:00:06Z c\n');
    await until(() => r.lines.length === 3);
    expect(r.lines.map((l) => l.text)).toEqual(['a', 'b', 'c']);
    expect(r.notices).toEqual(['notice:Reconnected (resumed after 10:00:05 UTC)']);
    expect(r.states[r.states.length - 1]).toEqual({ phase: 'streaming', reconnected: true });
    stream.stop();
  });

  it('opens a followed stream again when it ends (a container restarted)', async () => {
    const bodies = [new FakeBody(), new FakeBody()];
    let opened = 0;
    const r = recorder();
    const stream = new LogStream(async () => bodies[opened++].stream(), target, { follow: true, previous: false }, r.listener, { retryMs: 1 }).start();
    await settle();
    bodies[0].write('2024-05-01T10:00:00Z before\n');
    bodies[0].end();
    await until(() => opened === 2);
    bodies[1].write('2024-05-01T10:00:30Z after the restart\n');
    await until(() => r.lines.length === 2);
    stream.stop();
  });

  it('ends without following a previous container, and never reconnects', async () => {
    const body = new FakeBody();
    const paths: string[] = [];
    const r = recorder();
    new LogStream(async (p) => (paths.push(p), body.stream()), target, { follow: true, previous: true }, r.listener).start();
    await settle();
    body.write('2024-05-01T09:00:00Z crashed\n');
    body.end();
    await until(() => r.states.some((s) => s.phase === 'ended'));
    expect(paths).toEqual(['api/v1/clusters/dev/namespaces/team-a/pods/web-1/log?container=web&previous=true&timestamps=true']);
  });

  it('stops on a refusal and passes on the gateway\u2019s words', async () => {
    const r = recorder();
    const refusal = 'Cluster dev refused: pods "web-1" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "team-b"';
    let opened = 0;
    new LogStream(async () => (opened++, Promise.reject(new ApiError(403, refusal))), target, { follow: true, previous: false }, r.listener, { retryMs: 1 }).start();
    await until(() => r.states.some((s) => s.phase === 'failed'));
    expect(r.states[r.states.length - 1]).toEqual({ phase: 'failed', message: refusal, status: 403 });
    await new Promise((done) => setTimeout(done, 20));
    expect(opened).toBe(1);
  });

  it('after a drop, rides out a few refusals of an API server that is starting again, but not for ever', async () => {
    const body = new FakeBody();
    const r = recorder();
    let opened = 0;
    const answers: Array<() => Promise<ReadableStream<Uint8Array>>> = [
      async () => body.stream(),
      () => Promise.reject(new ApiError(403, 'forbidden while RBAC loads')),
      () => Promise.reject(new ApiError(503, 'starting')),
      () => Promise.reject(new ApiError(403, 'forbidden while RBAC loads')),
      () => Promise.reject(new ApiError(403, 'forbidden while RBAC loads')),
      () => Promise.reject(new ApiError(403, 'really forbidden now')),
    ];
    new LogStream(() => answers[opened++](), target, { follow: true, previous: false }, r.listener, { retryMs: 1, maxRetryMs: 2 }).start();
    await settle();
    body.write('2024-05-01T10:00:00Z a\n');
    body.fail('network error');
    await until(() => r.states.some((s) => s.phase === 'failed'));
    expect(opened).toBe(6);
    expect(r.states.filter((s) => s.phase === 'reconnecting').map((s) => (s as { reason: string }).reason)).toEqual([
      'network error', 'forbidden while RBAC loads', 'starting', 'forbidden while RBAC loads', 'forbidden while RBAC loads',
    ]);
    expect(r.states[r.states.length - 1]).toEqual({ phase: 'failed', message: 'really forbidden now', status: 403 });
  });

  it('reads a workload\u2019s merged NDJSON: lines, notices and one pod\u2019s error', async () => {
    const body = new FakeBody();
    const paths: string[] = [];
    const r = recorder();
    const workload = { kind: 'workload', cluster: 'dev', namespace: 'team-a', group: 'apps', version: 'v1', resource: 'deployments', name: 'web' } as const;
    const stream = new LogStream(async (p) => (paths.push(p), body.stream()), workload, { follow: true, previous: false, sinceSeconds: 600 }, r.listener).start();
    await settle();
    body.write('{"notice":"showing 20 of 25 pods"}\n{"pod":"web-1","container":"web","line":"2024-05-01T10:00:00Z \\u001b[32mok\\u001b[0m"}\n');
    body.write('{"pod":"web-2","container":"web","error":"container is waiting"}\nnot json\n');
    await until(() => r.lines.length === 1 && r.notices.length === 2);
    expect(paths).toEqual(['api/v1/clusters/dev/namespaces/team-a/workloads/apps/v1/deployments/web/logs?follow=true&timestamps=true&sinceSeconds=600']);
    expect(r.lines).toEqual([{ pod: 'web-1', container: 'web', timestamp: '2024-05-01T10:00:00Z', text: '\x1b[32mok\x1b[0m' }]);
    expect(r.notices).toEqual(['notice:showing 20 of 25 pods', 'error:web-2/web: container is waiting']);
    stream.stop();
  });
});

describe('timestampKey', () => {
  it('sorts RFC 3339 timestamps by time, whatever their fraction', () => {
    const sorted = ['2024-05-01T10:00:05Z', '2024-05-01T10:00:05.5Z', '2024-05-01T10:00:05.123456789Z', '2024-05-01T10:00:04.9Z'].sort((a, b) => (timestampKey(a) < timestampKey(b) ? -1 : 1));
    expect(sorted).toEqual(['2024-05-01T10:00:04.9Z', '2024-05-01T10:00:05Z', '2024-05-01T10:00:05.123456789Z', '2024-05-01T10:00:05.5Z']);
  });
});
