import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { DevCluster, KubeApi } from '@cairn/kube-testenv';
import { MAX_DEBUG_IMAGE_CHARS } from '@cairn/api-contracts/requests';
import { gatewayFor, TestGateway } from '../testing/gateway-against';
import { captureJsonLogs } from '../testing/json-logs';
import { until } from '../testing/until';

/**
 * `kubectl debug` through the gateway against the real control plane, with real kubectl as the
 * oracle: what Cairn adds (an ephemeral container, a pod copy) must be what `kubectl debug -it`
 * adds with the same choices, as the API server stores both; the API server's RBAC decides who
 * may; the dev cluster's kwok reports ephemeral containers running (its ephemeral-containers stage).
 */

type Pod = { metadata: Record<string, unknown> & { name: string }; spec: Record<string, unknown> & { ephemeralContainers?: Array<Record<string, unknown>>; containers: Array<Record<string, unknown>> }; status?: Record<string, unknown> };

describe('kubectl debug through the gateway (real cluster)', () => {
  let cluster: DevCluster;
  let admin: KubeApi;
  let test: TestGateway;
  let logs: ReturnType<typeof captureJsonLogs>;
  const tokens: Record<string, string> = {};

  const kubectl = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(join(cluster.info.binDir, 'kubectl'), args, { env: { ...process.env, KUBECONFIG: cluster.info.kubeconfig }, timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}`)) : resolve(stdout))),
    );
  const getPod = (name: string) => admin.get<Pod>(`/api/v1/namespaces/team-a/pods/${name}`);
  const post = async (user: string, pod: string, what: 'debug-containers' | 'debug-copies', body: unknown) => {
    const res = await fetch(`${test.base}/api/v1/clusters/cairn-dev/namespaces/team-a/pods/${pod}/${what}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { message?: string } };
  };
  const podOf = async (prefix: string) => until(`a running ${prefix} pod`, async () => (await admin.get<{ items: Pod[] }>('/api/v1/namespaces/team-a/pods')).items.find((p) => p.metadata.name.startsWith(prefix) && (p.status as { phase?: string })?.['phase'] === 'Running'));
  const withoutName = (c: Record<string, unknown> | undefined) => ({ ...c, name: undefined });

  beforeAll(async () => {
    logs = captureJsonLogs();
    cluster = await DevCluster.start();
    admin = cluster.adminApi();
    for (const user of ['alice', 'victor'] as const) tokens[user] = (await cluster.login(user)).idToken;
    test = await gatewayFor(cluster.info.kubeconfig, { CAIRN_LOG_LEVEL: 'log', CAIRN_LOG_FORMAT: 'json' });
  }, 420_000);

  afterAll(async () => {
    logs?.restore();
    await test?.close();
    admin?.close();
    await cluster?.stop();
  });

  it('adds the ephemeral container kubectl debug -it --image --target adds, which kwok then reports running; audited', async () => {
    const pod = (await podOf('web-')).metadata.name;
    await kubectl(['debug', '-it', '--attach=false', '-n', 'team-a', pod, '--image=busybox:1.37', '--target=web', '-c', 'by-kubectl', '--', 'sh']);
    const from = logs.lines.length;
    const added = await post('alice', pod, 'debug-containers', { image: 'busybox:1.37', target: 'web', command: ['sh'] });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ namespace: 'team-a', pod, container: expect.stringMatching(/^debugger-[a-z0-9]{5}$/) });
    const stored = (await getPod(pod)).spec.ephemeralContainers ?? [];
    const ours = stored.find((c) => c['name'] === added.body['container']);
    expect(withoutName(ours)).toEqual(withoutName(stored.find((c) => c['name'] === 'by-kubectl')));
    expect(ours).toMatchObject({ image: 'busybox:1.37', targetContainerName: 'web', stdin: true, tty: true, command: ['sh'] });
    // What kubectl's jsonpath prints, as a person would check it.
    expect(JSON.parse(await kubectl(['get', 'pod', '-n', 'team-a', pod, '-o', 'jsonpath={.spec.ephemeralContainers}'])).map((c: { name: string }) => c.name)).toEqual(['by-kubectl', added.body['container']]);
    const status = await until('the debug container running', async () => ((await getPod(pod)).status?.['ephemeralContainerStatuses'] as Array<{ name: string; state: { running?: unknown } }> | undefined)?.find((s) => s.name === added.body['container'] && s.state.running));
    expect(status.state.running).toBeTruthy();
    expect(logs.audits(from)).toEqual([expect.objectContaining({ action: 'debug', who: 'alice@cairn.test', result: 'ok', target: expect.stringContaining(`/pods/${pod}/ephemeralcontainers`) })]);
  });

  it('is refused by the API server to a view user (no patch pods/ephemeralcontainers), audited, and nothing is added', async () => {
    const pod = (await podOf('web-')).metadata.name;
    const before = (await getPod(pod)).spec.ephemeralContainers?.length ?? 0;
    const from = logs.lines.length;
    const refused = await post('victor', pod, 'debug-containers', { image: 'busybox:1.37' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('ephemeralcontainers');
    expect(logs.audits(from)).toEqual([expect.objectContaining({ action: 'debug', who: 'victor@cairn.test', result: 'refused', status: 403 })]);
    expect((await getPod(pod)).spec.ephemeralContainers?.length ?? 0).toBe(before);
    expect((await post('victor', pod, 'debug-copies', { copyName: `${pod}-victor`, image: 'busybox:1.37' })).status).toBe(403);
  });

  it('refuses an image or command past its bound (413), a taken name and an unknown target (400), saying which', async () => {
    const pod = (await podOf('web-')).metadata.name;
    const long = await post('alice', pod, 'debug-containers', { image: `busybox:${'1'.repeat(MAX_DEBUG_IMAGE_CHARS)}` });
    expect(long.status).toBe(413);
    expect(long.body.message).toContain(`at most ${MAX_DEBUG_IMAGE_CHARS} characters`);
    const words = await post('alice', pod, 'debug-containers', { image: 'busybox', command: Array.from({ length: 65 }, () => 'x') });
    expect(words.status).toBe(413);
    expect(words.body.message).toContain('at most 64 words');
    const taken = await post('alice', pod, 'debug-containers', { image: 'busybox', name: 'web' });
    expect(taken.status).toBe(400);
    expect(taken.body.message).toContain('already has a container named web');
    const target = await post('alice', pod, 'debug-containers', { image: 'busybox', target: 'nope' });
    expect(target.status).toBe(400);
    expect(target.body.message).toContain('has no container nope to target');
  });

  it('copies a crash-looping pod as kubectl debug --copy-to does: no labels, owners or probes, the debug container added, and the copy runs', async () => {
    const crashing = await until('the crash-looping pod', async () => (await admin.get<{ items: Pod[] }>('/api/v1/namespaces/team-a/pods')).items.find((p) => p.metadata.name.startsWith('queue-worker-')));
    const pod = crashing.metadata.name;
    await kubectl(['debug', '-it', '--attach=false', '-n', 'team-a', pod, '--image=busybox:1.37', '--copy-to=copy-by-kubectl', '-c', 'debugger', '--', 'sh']);
    const from = logs.lines.length;
    const made = await post('alice', pod, 'debug-copies', { copyName: 'copy-by-cairn', image: 'busybox:1.37', container: 'debugger', command: ['sh'] });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({ namespace: 'team-a', pod: 'copy-by-cairn', container: 'debugger' });
    const [theirs, ours] = await Promise.all([getPod('copy-by-kubectl'), getPod('copy-by-cairn')]);
    const comparable = (p: Pod) => ({ labels: p.metadata['labels'], annotations: p.metadata['annotations'], ownerReferences: p.metadata['ownerReferences'], spec: { ...p.spec, nodeName: undefined } });
    expect(comparable(ours)).toEqual(comparable(theirs));
    expect(ours.metadata['ownerReferences']).toBeUndefined();
    expect(ours.metadata['labels']).toBeUndefined();
    expect(ours.spec['shareProcessNamespace']).toBe(true);
    expect(ours.spec.containers.map((c) => c['name'])).toEqual([...crashing.spec.containers.map((c) => c['name']), 'debugger']);
    // Without the crash-loop label, kwok runs the copy like any pod.
    await until('the copy running', async () => ((await getPod('copy-by-cairn')).status?.['phase'] === 'Running' ? true : undefined));
    expect(logs.audits(from)).toEqual([expect.objectContaining({ action: 'debug-copy', who: 'alice@cairn.test', result: 'ok' })]);
    const again = await post('alice', pod, 'debug-copies', { copyName: 'copy-by-cairn', image: 'busybox:1.37' });
    expect(again.status).toBe(409);
  });
});
