import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLUSTER_PROBES, DevCluster, FROZEN_JOB_STATUSES, GADGETS, SENSORS } from '@cairn/kube-testenv';
import { KUBECTL_COLUMNS, kubectlCells, PrintedKind } from './kubectl-columns';
import { printCell, printerColumns } from './server-table';

/**
 * kubectl is the oracle, for every built-in kind Cairn lists with its own cells: for every
 * object of the development cluster's seed (frozen Jobs in every state, the controllers'
 * Deployments, ReplicaSets, StatefulSets, DaemonSets, CronJobs, Services, nodes ready and
 * lost, events), each cell `kubectlCells` computes must be the cell of the API server's table,
 * which is what `kubectl get -o wide` prints. Custom resources are printed by the server
 * itself (Cairn shows its table's cells through `printCell`): those are held against the
 * text the built kubectl prints.
 */
const KINDS: Array<{ kind: PrintedKind; path: string }> = [
  { kind: 'Deployment', path: '/apis/apps/v1/deployments' },
  { kind: 'ReplicaSet', path: '/apis/apps/v1/replicasets' },
  { kind: 'StatefulSet', path: '/apis/apps/v1/statefulsets' },
  { kind: 'DaemonSet', path: '/apis/apps/v1/daemonsets' },
  { kind: 'Job', path: '/apis/batch/v1/jobs' },
  { kind: 'CronJob', path: '/apis/batch/v1/cronjobs' },
  { kind: 'Service', path: '/api/v1/services' },
  { kind: 'Node', path: '/api/v1/nodes' },
  { kind: 'Event', path: '/api/v1/events' },
];

type Row = { cells: unknown[]; object: { metadata: { name: string; namespace?: string } } };
type Table = { columnDefinitions: Array<{ name: string; priority?: number }>; rows: Row[] };
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

describe('kubectlCells against kubectl get -o wide (the API server table)', () => {
  let cluster: DevCluster;

  beforeAll(async () => {
    cluster = await DevCluster.start();
  }, 300_000);

  afterAll(() => cluster?.stop());

  async function table(path: string): Promise<Table> {
    const res = await cluster.adminApi().send('GET', `${path}?includeObject=Object`, { accept: TABLE });
    expect(res.status).toBe(200);
    return JSON.parse(res.body) as Table;
  }

  it.each(KINDS)('agrees on every cell of every $kind of the seed', async ({ kind, path }) => {
    const { columnDefinitions, rows } = await table(path);
    const at = Date.now();
    // Every column Cairn knows is one kubectl prints, under the same name (Source of events aside).
    const names = columnDefinitions.map((c) => c.name);
    for (const column of KUBECTL_COLUMNS[kind]) expect(names).toContain(column.name);
    const differences: string[] = [];
    let compared = 0;
    for (const row of rows) {
      const id = `${row.object.metadata.namespace ?? ''}/${row.object.metadata.name}`;
      // Ages and durations are printed at the server's moment: allow the seconds that passed.
      const mine = [0, 1, 2, 3].map((s) => kubectlCells(kind, row.object, at - s * 1000));
      for (const column of KUBECTL_COLUMNS[kind]) {
        const theirs = printCell(row.cells[names.indexOf(column.name)] as never);
        compared++;
        if (!mine.some((cells) => cells[column.name] === theirs)) differences.push(`${kind} ${id} ${column.name}: kubectl "${theirs}", Cairn "${mine[0]?.[column.name]}"`);
      }
    }
    expect(differences).toEqual([]);
    expect(rows.length).toBeGreaterThan(0);
    expect(compared).toBe(rows.length * KUBECTL_COLUMNS[kind].length);
  });

  it('the seed has a Job in every state kubectl prints, with and without completions', async () => {
    const { columnDefinitions, rows } = await table('/apis/batch/v1/jobs');
    const status = columnDefinitions.findIndex((c) => c.name === 'Status');
    const completions = columnDefinitions.findIndex((c) => c.name === 'Completions');
    expect([...new Set(rows.map((r) => r.cells[status]))].sort()).toEqual(expect.arrayContaining([...FROZEN_JOB_STATUSES].sort()));
    const printed = rows.map((r) => String(r.cells[completions]));
    expect(printed).toEqual(expect.arrayContaining(['3/3', '1/1', '2/5', '0/1 of 3', '0/2', '0/4', '0/1 of 2']));
  });

  /** `kubectl get <resource> -o wide` as text, cut into cells at the header's column starts. */
  async function kubectlWide(resource: string, namespaced: boolean): Promise<Map<string, Record<string, string>>> {
    const args = ['--kubeconfig', cluster.info.kubeconfig, 'get', resource, '-o', 'wide', ...(namespaced ? ['--all-namespaces'] : [])];
    const { stdout } = await promisify(execFile)(join(cluster.info.binDir, 'kubectl'), args);
    const [header = '', ...lines] = stdout.split('\n').filter((l) => l.trim());
    const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index ?? 0 }));
    const out = new Map<string, Record<string, string>>();
    for (const line of lines) {
      const cells: Record<string, string> = {};
      starts.forEach((s, i) => (cells[s.name] = line.slice(s.at, starts[i + 1]?.at ?? line.length).trim()));
      out.set(namespaced ? `${cells['NAMESPACE']}/${cells['NAME']}` : `/${cells['NAME']}`, cells);
    }
    return out;
  }

  it.each([
    { what: 'Gadgets (namespaced, columns of every type)', path: `/apis/${GADGETS.group}/${GADGETS.version}/${GADGETS.resource}`, resource: `${GADGETS.resource}.${GADGETS.version}.${GADGETS.group}`, namespaced: true },
    ...SENSORS.versions.map((version) => ({
      what: `Sensors at ${version} (one of several served versions)`, path: `/apis/${SENSORS.group}/${version}/${SENSORS.resource}`, resource: `${SENSORS.resource}.${version}.${SENSORS.group}`, namespaced: true,
    })),
    { what: 'ClusterProbes (cluster-scoped, formats, priorities, JSONPath into arrays)', path: `/apis/${CLUSTER_PROBES.group}/${CLUSTER_PROBES.version}/${CLUSTER_PROBES.resource}`, resource: `${CLUSTER_PROBES.resource}.${CLUSTER_PROBES.version}.${CLUSTER_PROBES.group}`, namespaced: false },
  ])('prints each cell of $what as kubectl does', async ({ path, resource, namespaced }) => {
    const server = await table(path);
    const columns = printerColumns(server);
    const printed = await kubectlWide(resource, namespaced);
    expect(server.rows.length).toBeGreaterThan(1);
    expect(printed.size).toBe(server.rows.length);
    const differences: string[] = [];
    let compared = 0;
    for (const row of server.rows) {
      const id = `${row.object.metadata.namespace ?? ''}/${row.object.metadata.name}`;
      const theirs = printed.get(id) ?? {};
      columns.forEach((column, i) => {
        // -o wide shows priority 0 and 1; ages are printed at each one's own moment.
        if (column.priority > 1) return;
        const mine = printCell(row.cells[i] as never);
        const kubectl = theirs[column.name.toUpperCase()];
        compared++;
        if (mine !== kubectl && !(column.name === 'Age' || column.type === 'date')) differences.push(`${id} ${column.name}: kubectl "${kubectl}", Cairn "${mine}"`);
      });
    }
    expect(differences).toEqual([]);
    expect(compared).toBe(server.rows.length * columns.filter((c) => c.priority <= 1).length);
  });
});
