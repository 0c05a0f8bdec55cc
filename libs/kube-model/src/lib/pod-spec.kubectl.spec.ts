import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DevCluster } from '@cairn/kube-testenv';
import { containerDetails } from './pod-spec';

/**
 * kubectl is the oracle for what a pod's detail page says about its containers: each probe,
 * port, environment variable and mount line Cairn draws must be a line `kubectl describe pod`
 * prints for the same pod (the seed's team-a/web pods carry every kind of each).
 */
describe('containerDetails against kubectl describe pod', () => {
  let cluster: DevCluster;

  beforeAll(async () => {
    cluster = await DevCluster.start();
  }, 300_000);

  afterAll(() => cluster?.stop());

  const kubectl = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(join(cluster.info.binDir, 'kubectl'), args, { env: { ...process.env, KUBECONFIG: cluster.info.kubeconfig } });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')} exited ${code}: ${out}`))));
    });

  type Pod = { metadata: { name: string }; spec: unknown; status: unknown };

  it('prints every probe, port, env var and mount of the seed web pod as kubectl describe does', async () => {
    const pods = await cluster.adminApi().get<{ items: Pod[] }>('/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dweb');
    expect(pods.items.length).toBeGreaterThan(0);
    const pod = pods.items[0] as Pod;
    const described = (await kubectl(['describe', 'pod', '-n', 'team-a', pod.metadata.name])).split('\n').map((line) => line.trim().replace(/\s+/g, ' '));
    const containers = containerDetails(pod.spec, pod.status, pod.metadata);
    expect(containers.map((c) => c.name)).toEqual(['web', 'log-shipper']);
    const missing: string[] = [];
    let checked = 0;
    const expectLine = (line: string) => {
      checked++;
      if (!described.includes(line)) missing.push(line);
    };
    for (const c of containers) {
      for (const p of c.probes) expectLine(`${p.kind}: ${p.text}`);
      for (const e of c.env) expectLine(`${e.name}: ${e.from ?? e.value}${e.source ? ` Optional: ${e.optional ? 'true' : 'false'}` : ''}`);
      for (const m of c.mounts) expectLine(`${m.mountPath} from ${m.volume} (${m.readOnly ? 'ro' : 'rw'})`);
      // kubectl describe prints "Port:" / "Ports:" with the bare `8080/TCP` and no name.
      for (const p of c.ports) if (!described.some((l) => l.includes(p.replace(/ \(.*\)$/, '')))) missing.push(`port ${p}`);
      for (const [name, q] of Object.entries(c.limits)) expectLine(`${name}: ${q}`);
    }
    expect(missing).toEqual([]);
    // 4 probes, 5 env vars, 3 mounts, limits: the seed has each kind, so the loop really compared them.
    expect(checked).toBeGreaterThanOrEqual(13);
    const web = containers[0];
    expect(web?.envFrom).toEqual([{ source: { kind: 'ConfigMap', name: 'web-config' }, prefix: 'CFG_', optional: false }]);
    expect(described).toContain(`web-config ConfigMap with prefix 'CFG_' Optional: false`);
  });
});
