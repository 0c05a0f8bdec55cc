import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { encodeUserCluster } from '../clusters/user-clusters';
import { gatewayAgainst, TestGateway } from '../testing/gateway-against';
import { HostileUpstream, startHostileUpstream } from '../testing/hostile-upstream';
import { WatchHub } from './watch-hub';

/**
 * The watch hub's memory is bounded by design (issue 20): what all upstream watches keep for
 * replay adds up to at most CAIRN_MAX_REPLAY_TOTAL_BYTES however many watches are open, kept as
 * event text (not parsed objects). Against a real HTTPS upstream that sends 50 events of 100 KiB
 * per watch (testing/hostile-upstream.ts), each watch a different credential, so none is shared.
 */
describe('watch hub memory bounds', () => {
  let upstream: HostileUpstream;
  let test: TestGateway;
  let gateway: NestFastifyApplication;
  let base: string;
  const TOTAL = 1024 * 1024;

  beforeAll(async () => {
    upstream = await startHostileUpstream({ users: { 'good-token': 'alice' } });
    test = await gatewayAgainst(upstream, { CAIRN_MAX_REPLAY_BYTES: '1Mi', CAIRN_MAX_REPLAY_TOTAL_BYTES: '1Mi' });
    ({ gateway, base } = test);
  }, 60_000);

  afterAll(async () => {
    await test?.close();
    await upstream?.stop();
  });

  /** Opens a watch stream and reads it until `until` holds; returns the text and a way to close it. */
  const watch = async (token: string, until: (text: string) => boolean) => {
    const entry = encodeUserCluster({ server: upstream.url, ca: upstream.ca, insecureSkipTlsVerify: false, token });
    const subscriptions = [{ id: 'w', cluster: 'user:hostile', group: 'core', version: 'v1', resource: 'configmaps', namespace: 'replay' }];
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/watch?subscriptions=${encodeURIComponent(JSON.stringify(subscriptions))}`, {
      headers: { authorization: 'Bearer good-token', 'x-cairn-cluster': entry },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!until(text)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += Buffer.from(chunk.value).toString('utf8');
    }
    return { text, close: () => abort.abort() };
  };

  it('keeps what all watches hold for replay within CAIRN_MAX_REPLAY_TOTAL_BYTES: four watches share 1 MiB, not 1 MiB each', async () => {
    const hub = gateway.get(WatchHub);
    const streams = [];
    for (const token of ['t1', 't2', 't3', 't4']) {
      streams.push(await watch(token, (t) => t.includes('"resourceVersion":"50"')));
      // Checked after every new watch: an older watch gives up its share when a new one opens.
      expect(hub.stats().replayBytes).toBeLessThanOrEqual(TOTAL);
    }
    const stats = hub.stats();
    expect(stats.upstreams).toBe(4);
    // Each watch still keeps its share (the newest events), so a tab that reconnects at once resumes.
    expect(stats.replayBytes).toBeGreaterThan(4 * 100 * 1024);
    expect(stats.replayBytes).toBeLessThanOrEqual(TOTAL);
    for (const s of streams) {
      expect((s.text.match(/"type":"ADDED"/g) ?? []).length).toBe(50);
      s.close();
    }
  }, 60_000);
});
