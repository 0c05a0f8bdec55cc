import { DevCluster, KubeApi, KubeApiError } from '@cairn/kube-testenv';
import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import { sleep } from './stats';

/** Where the benchmark's own pods live (the seed's namespaces stay as they are). */
export const BENCH_NAMESPACE = 'bench';
/** The console's name for the dev cluster (its kubeconfig context). */
export const CLUSTER = 'cairn-dev';
export const NODES = 4;

export type Log = (line: string) => void;

/** The dev cluster with room for `maxPods` pods, and ID tokens that outlive a full run. */
export function startBenchCluster(maxPods: number, log: Log): Promise<DevCluster> {
  return DevCluster.start({ nodes: NODES, podsPerNode: Math.ceil(maxPods / NODES) + 200, tokenTtlSeconds: 3600, log });
}

interface ListMeta {
  items: unknown[];
  metadata: { remainingItemCount?: number };
}

/** Number of objects in a collection, from a one-item page. */
export async function countOf(api: KubeApi, path: string): Promise<number> {
  const page = await api.get<ListMeta>(`${path}${path.includes('?') ? '&' : '?'}limit=1`);
  return page.items.length + (page.metadata.remainingItemCount ?? 0);
}

async function ensureNamespace(admin: KubeApi, name: string): Promise<void> {
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  for (let i = 0; i < 100 && (await admin.send('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`)).status !== 200; i++) await sleep(100);
}

/** A plain one-container pod bound straight to a kwok node (no scheduler round trip: creating thousands stays quick). */
export function benchPod(namespace: string, name: string, node: string, container = 'app'): Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> } } {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench', 'app.kubernetes.io/part-of': 'cairn-bench' } },
    spec: {
      nodeName: node,
      containers: [{ name: container, image: 'registry.example.com/cairn-bench/app:1.0', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  };
}

/**
 * Creates pods in the bench namespace until the whole cluster holds at least `total`, then
 * waits (at most `settleMs`) until kwok reports them Running.
 */
export async function ensurePods(admin: KubeApi, total: number, log: Log, settleMs = 180_000): Promise<{ total: number; created: number; seconds: number; notRunning: number }> {
  const started = Date.now();
  await ensureNamespace(admin, BENCH_NAMESPACE);
  const existing = await countOf(admin, '/api/v1/pods');
  const inBench = await countOf(admin, `/api/v1/namespaces/${BENCH_NAMESPACE}/pods`);
  const missing = Math.max(0, total - existing);
  let next = inBench;
  const end = inBench + missing;
  let done = 0;
  const worker = async () => {
    while (next < end) {
      const i = next++;
      const pod = benchPod(BENCH_NAMESPACE, `bench-${String(i).padStart(5, '0')}`, `kwok-node-${(i % NODES) + 1}`);
      for (let attempt = 0; ; attempt++) {
        try {
          await admin.create(pod);
          break;
        } catch (err) {
          if (err instanceof KubeApiError && err.status === 409) break;
          if (attempt >= 5) throw err;
          await sleep(200 * (attempt + 1));
        }
      }
      if (++done % 1000 === 0) log(`bench: created ${done} of ${missing} pods (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  };
  await Promise.all(Array.from({ length: 12 }, worker));
  let notRunning = 0;
  const deadline = Date.now() + settleMs;
  do {
    const page = await admin.get<ListMeta>(`/api/v1/namespaces/${BENCH_NAMESPACE}/pods?fieldSelector=${encodeURIComponent('status.phase!=Running')}&limit=500`);
    notRunning = page.items.length;
    if (notRunning === 0) break;
    await sleep(1000);
  } while (Date.now() < deadline);
  const seconds = (Date.now() - started) / 1000;
  const now = await countOf(admin, '/api/v1/pods');
  log(`bench: ${now} pods in the cluster (${missing} created, ${notRunning ? `${notRunning}+ not Running yet` : 'all Running'}) in ${seconds.toFixed(0)} s`);
  return { total: now, created: missing, seconds, notRunning };
}

/** A session cookie for `token`, sealed as the auth service seals it. */
export async function sessionCookie(sessionKey: string, token: string, user: string, ttlSeconds = 3600): Promise<{ name: string; value: string }> {
  const now = Math.floor(Date.now() / 1000);
  const session: Session = { v: 1, issuedAt: now, oidc: { token, expiresAt: now + ttlSeconds, user: { name: user, email: user } } };
  return { name: SESSION_COOKIE, value: await new SealedBox([sessionKey], SESSION_PURPOSE).seal(session, { ttlSeconds }) };
}
