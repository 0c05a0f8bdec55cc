import { TextDecoder as NodeTextDecoder, TextEncoder as NodeTextEncoder } from 'node:util';
import { LINES_PER_FRAME, LogSession } from './log-session';
import { LogOpener } from './log-stream';

globalThis.TextDecoder ??= NodeTextDecoder as unknown as typeof TextDecoder;

/** An opener whose streams the test feeds, one `push` per chunk. */
function feed() {
  const readers: Array<(chunk: string) => void> = [];
  const opener: LogOpener = async () => {
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    readers.push((chunk) => (queue.push(chunk), wake?.()));
    return {
      getReader: () => ({
        read: async () => {
          while (!queue.length) await new Promise<void>((r) => (wake = r));
          return { done: false, value: new NodeTextEncoder().encode(queue.shift()) };
        },
        cancel: async () => undefined,
      }),
    } as unknown as ReadableStream<Uint8Array>;
  };
  return { opener, push: (i: number, chunk: string) => readers[i](chunk), opened: () => readers.length };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `2024-05-01T10:00:00Z line ${from + i}\n`).join('');

describe('LogSession', () => {
  const target = { kind: 'container', cluster: 'dev', namespace: 'team-a', pod: 'web-1', container: 'web' } as const;
  let flushes: Array<() => void>;
  const schedule = (flush: () => void) => void flushes.push(flush);
  const runFrame = () => flushes.splice(0).forEach((f) => f());

  beforeEach(() => (flushes = []));

  it('shows what arrived once a frame, in one batch', async () => {
    const { opener, push } = feed();
    const session = new LogSession(opener, [target], { follow: true, previous: false }, 'none', { schedule }).start();
    await tick();
    push(0, lines(1, 3));
    push(0, lines(4, 2));
    await tick();
    expect(session.lines()).toEqual([]);
    expect(flushes).toHaveLength(1);
    runFrame();
    expect(session.lines().map((l) => l.text)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    session.stop();
  });

  it('keeps the newest lines when more arrive than it holds, and counts the rest', async () => {
    const { opener, push } = feed();
    const session = new LogSession(opener, [target], { follow: true, previous: false }, 'none', { schedule, capacity: 100 }).start();
    await tick();
    push(0, lines(1, 250));
    await tick();
    runFrame();
    expect(session.lines()).toHaveLength(100);
    expect(session.lines()[0].text).toBe('line 151');
    expect(session.dropped()).toBe(150);
    session.stop();
  });

  it('parses a long history over several frames, LINES_PER_FRAME at a time, in order', async () => {
    const { opener, push } = feed();
    const session = new LogSession(opener, [target], { follow: true, previous: false }, 'none', { schedule }).start();
    await tick();
    push(0, lines(1, LINES_PER_FRAME * 2 + 10));
    await tick();
    runFrame();
    expect(session.lines()).toHaveLength(LINES_PER_FRAME);
    runFrame();
    expect(session.lines()).toHaveLength(LINES_PER_FRAME * 2);
    runFrame();
    expect(session.lines().map((l) => l.text).slice(-2)).toEqual([`line ${LINES_PER_FRAME * 2 + 9}`, `line ${LINES_PER_FRAME * 2 + 10}`]);
    expect(flushes).toHaveLength(0);
    session.stop();
  });

  it('pausing holds new lines back and counts them; resuming shows them', async () => {
    const { opener, push } = feed();
    const session = new LogSession(opener, [target], { follow: true, previous: false }, 'none', { schedule }).start();
    await tick();
    push(0, lines(1, 2));
    await tick();
    runFrame();
    session.pause();
    push(0, lines(3, 4));
    await tick();
    runFrame();
    expect(session.lines()).toHaveLength(2);
    expect(session.held()).toBe(4);
    session.resume();
    expect(session.lines()).toHaveLength(6);
    expect(session.held()).toBe(0);
    session.stop();
  });

  it('gives each pod of a workload its own colour and names the source', async () => {
    const { opener, push } = feed();
    const workload = { kind: 'workload', cluster: 'dev', namespace: 'team-a', group: 'apps', version: 'v1', resource: 'deployments', name: 'web' } as const;
    const session = new LogSession(opener, [workload], { follow: true, previous: false }, 'pod/container', { schedule }).start();
    await tick();
    push(0, ['web-1', 'web-2', 'web-1'].map((pod) => JSON.stringify({ pod, container: 'web', line: '2024-05-01T10:00:00Z hi' }) + '\n').join(''));
    await tick();
    runFrame();
    expect(session.lines().map((l) => [l.source, l.colour])).toEqual([['web-1/web', 0], ['web-2/web', 1], ['web-1/web', 0]]);
    expect(session.sources()).toBe(true);
    session.stop();
  });

  it('puts merged lines in order of time, even when one pod\u2019s history arrives a frame later', async () => {
    const { opener, push } = feed();
    const workload = { kind: 'workload', cluster: 'dev', namespace: 'team-a', group: 'apps', version: 'v1', resource: 'deployments', name: 'web' } as const;
    const session = new LogSession(opener, [workload], { follow: true, previous: false }, 'pod', { schedule }).start();
    await tick();
    const line = (pod: string, second: number) => JSON.stringify({ pod, container: 'web', line: `2024-05-01T10:00:0${second}Z ${pod}@${second}` }) + '\n';
    push(0, line('a', 1) + line('a', 3) + line('a', 5));
    await tick();
    runFrame();
    push(0, line('b', 4) + line('b', 2) + line('b', 6));
    await tick();
    runFrame();
    expect(session.lines().map((l) => l.text)).toEqual(['a@1', 'b@2', 'a@3', 'b@4', 'a@5', 'b@6']);
    const ids = session.lines().map((l) => l.id);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    session.stop();
  });

  it('following off closes the streams and keeps the lines; on again resumes from the last line', async () => {
    const { opener, push, opened } = feed();
    const session = new LogSession(opener, [target], { follow: true, previous: false }, 'none', { schedule }).start();
    await tick();
    push(0, lines(1, 2));
    await tick();
    runFrame();
    session.setFollow(false);
    expect(session.following()).toBe(false);
    expect(session.lines()).toHaveLength(2);
    session.setFollow(true);
    await tick();
    expect(opened()).toBe(2);
    push(1, '2024-05-01T10:00:00Z line 2\n2024-05-01T10:00:01Z line 3\n');
    await tick();
    runFrame();
    expect(session.lines().map((l) => l.text)).toEqual(['line 1', 'line 2', 'Reconnected (resumed after 10:00:00 UTC)', 'line 3']);
    session.stop();
  });
});
