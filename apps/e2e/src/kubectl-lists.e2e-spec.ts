import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DevCluster } from '@cairn/kube-testenv';
import { durationSeconds } from '@cairn/kube-model';
import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import type { ConsoleUnderTest } from './support/console-under-test';
import { Stage, startStage } from './support/stage';
import { dataCells, dataHeaders } from './support/table';

/**
 * kubectl is the oracle for every workload list: an admin opens each list across all
 * namespaces, shows every column it offers, and each cell of each row (every object of the
 * dev cluster's seed: frozen Jobs in every state, the controllers' Deployments, ReplicaSets,
 * StatefulSets, DaemonSets, CronJobs) must read as the API server's table prints it, which is
 * what `kubectl get -o wide` shows. The lists of other kinds (Services, ConfigMaps, Secrets,
 * ServiceAccounts, Nodes, custom resources at several versions, cluster-scoped) show the server's own columns: each of their
 * cells is held against the text the built kubectl prints.
 */
const KINDS = [
  { resource: 'deployments', path: '/apis/apps/v1/deployments', kubectlStatus: false },
  { resource: 'replicasets', path: '/apis/apps/v1/replicasets', kubectlStatus: false },
  { resource: 'statefulsets', path: '/apis/apps/v1/statefulsets', kubectlStatus: false },
  { resource: 'daemonsets', path: '/apis/apps/v1/daemonsets', kubectlStatus: false },
  { resource: 'jobs', path: '/apis/batch/v1/jobs', kubectlStatus: true },
  { resource: 'cronjobs', path: '/apis/batch/v1/cronjobs', kubectlStatus: false },
];

/** Cairn's column labels that word kubectl's column names differently. */
const KUBECTL_NAME: Record<string, string> = { 'Up to date': 'Up-to-date', 'Last run': 'Last Schedule', 'Node selector': 'Node Selector', 'Time zone': 'Timezone' };

/** A number, or `fallback` for NaN (an age that is not one). */
const orNaN = (n: number, fallback: number) => (Number.isNaN(n) ? fallback : n);

const OTHER_KINDS = [
  { what: 'Services', list: '/workloads/services', resource: 'services', namespaced: true },
  { what: 'ConfigMaps', list: '/workloads/configmaps', resource: 'configmaps', namespaced: true },
  { what: 'Secrets', list: '/workloads/secrets', resource: 'secrets', namespaced: true },
  { what: 'ServiceAccounts', list: '/workloads/serviceaccounts', resource: 'serviceaccounts', namespaced: true },
  { what: 'Nodes (the lost one too)', list: '/workloads/other/core/v1/nodes', resource: 'nodes', namespaced: false },
  { what: 'Sensors at v1', list: '/workloads/other/example.com/v1/sensors', resource: 'sensors.v1.example.com', namespaced: true },
  { what: 'Sensors at v1beta1 (an older served version)', list: '/workloads/other/example.com/v1beta1/sensors', resource: 'sensors.v1beta1.example.com', namespaced: true },
  { what: 'ClusterProbes (cluster-scoped, every column type)', list: '/workloads/other/example.com/v1/clusterprobes', resource: 'clusterprobes.v1.example.com', namespaced: false },
];

describe('workload lists read as kubectl get -o wide', () => {
  let stage: Stage;
  let cluster: DevCluster;
  let cairn: ConsoleUnderTest;
  let page: Page;

  beforeAll(async () => {
    stage = await startStage();
    ({ cluster, cairn } = stage);
  }, 240_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story');
    await page.context().close();
  });

  /** Opens a list across all namespaces with every column it offers, as a person would choose them; its header and rows. */
  async function everyColumn(path: string, expectedRows: number) {
    page = await stage.signedIn('admin', { width: 2400, height: 2400 });
    await page.goto(`${cairn.url}${path}?cluster=cairn-dev`);
    const main = page.getByRole('main');
    await main.getByText(`${expectedRows} of ${expectedRows}`, { exact: false }).waitFor();
    const headersNow = () => dataHeaders(main.getByRole('row').first());
    const defaults = await headersNow();
    await main.getByRole('button', { name: 'Columns' }).click();
    for (const box of await main.getByRole('group', { name: 'Columns shown' }).getByRole('checkbox').all()) if (!(await box.isDisabled()) && !(await box.isChecked())) await box.check();
    await main.getByRole('button', { name: 'Done' }).click();
    const rows = main.getByRole('row');
    // "N of N" is said before the last rows are drawn: wait for them, a header and one row each.
    await rows.nth(expectedRows).waitFor();
    expect(await rows.count()).toBe(expectedRows + 1);
    const headers = await headersNow();
    const cells = await Promise.all((await rows.all()).slice(1).map((row) => dataCells(row)));
    return { defaults, headers, cells };
  }

  /** Whether two printed times are the same reading, a few seconds apart. */
  /** Two printed durations of the same moment-dependent cell, read `slackSeconds` apart (plus rounding). */
  const sameTime = (a: string, b: string, slackSeconds = 5) => Math.abs(orNaN(durationSeconds(a), -1e9) - orNaN(durationSeconds(b), 1e9)) <= slackSeconds + 2;

  it.each(OTHER_KINDS)('$what show the columns kubectl get shows, and the cells kubectl get -o wide prints in every column', async ({ list, resource, namespaced }) => {
    const kubectlGet = async (wide: boolean) => {
      const args = ['--kubeconfig', cluster.info.kubeconfig, 'get', resource, ...(wide ? ['-o', 'wide'] : []), ...(namespaced ? ['--all-namespaces'] : [])];
      const [header = '', ...lines] = (await promisify(execFile)(join(cluster.info.binDir, 'kubectl'), args)).stdout.split('\n').filter((l) => l.trim());
      return { lines, starts: [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index ?? 0 })) };
    };
    const readAt = Date.now();
    const { lines, starts } = await kubectlGet(true);
    const kubectl = new Map(
      lines.map((line) => {
        const row = Object.fromEntries(starts.map((c, i) => [c.name, line.slice(c.at, starts[i + 1]?.at ?? line.length).trim()]));
        return [`${row['NAMESPACE'] ?? ''}/${row['NAME']}`, row];
      }),
    );
    const { defaults, headers, cells } = await everyColumn(list, kubectl.size);
    // Times are printed at each reading's moment: allow the seconds that passed between the two readings.
    const slack = (Date.now() - readAt) / 1000;
    // Before any choice: the columns of `kubectl get` (Cairn's own Status aside), in any order.
    const own = (names: string[]) => names.filter((name, index) => name !== 'Name' && name !== 'Namespace' && index !== names.indexOf('Status')).map((n) => n.toUpperCase()).sort();
    expect(own(defaults)).toEqual((await kubectlGet(false)).starts.map((s) => s.name).filter((n) => n !== 'NAME' && n !== 'NAMESPACE').sort());
    // Cairn's own Status (its health summary; the first one) has no kubectl column: every other column is compared,
    // a server column named Status (a node's) included.
    // So is Age where kubectl prints none (a CRD whose columns leave it out): Cairn keeps it choosable, hidden at first.
    const kubectlAge = starts.some((s) => s.name === 'AGE');
    const compared = headers
      .map((name, index) => ({ name, index }))
      .filter(({ name, index }) => name !== 'Name' && name !== 'Namespace' && index !== headers.indexOf('Status') && (name !== 'Age' || kubectlAge));
    for (const { name } of compared) expect(starts.map((s) => s.name)).toContain(name.toUpperCase());
    const differences: string[] = [];
    const seen: string[] = [];
    for (const row of cells) {
      const id = `${namespaced ? row[headers.indexOf('Namespace')] : ''}/${row[headers.indexOf('Name')]}`;
      seen.push(id);
      for (const { name, index } of compared) {
        const mine = row[index] ?? '';
        const want = kubectl.get(id)?.[name.toUpperCase()] ?? '(no such object)';
        if (mine !== want && !sameTime(mine, want, slack)) differences.push(`${id} ${name}: kubectl "${want}", Cairn "${mine}"`);
      }
    }
    expect(differences).toEqual([]);
    expect(seen.sort()).toEqual([...kubectl.keys()].sort());
  });

  it.each(KINDS)('every $resource of the seed shows the cells kubectl prints, in every column', async ({ resource, path, kubectlStatus }) => {
    type Table = { columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[]; object: { metadata: { name: string; namespace: string } } }> };
    const readAt = Date.now();
    const res = await cluster.adminApi().send('GET', `${path}?includeObject=Metadata`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    const table = JSON.parse(res.body) as Table;
    const kubectl = new Map(
      table.rows.map((r) => [`${r.object.metadata.namespace}/${r.object.metadata.name}`, Object.fromEntries(table.columnDefinitions.map((c, i) => [c.name, r.cells[i] === null || r.cells[i] === undefined ? '' : String(r.cells[i])]))]),
    );

    const { headers, cells: shown } = await everyColumn(`/workloads/${resource}`, kubectl.size);
    const slack = (Date.now() - readAt) / 1000;
    const compared = headers.filter((h) => h !== 'Name' && h !== 'Namespace' && (h !== 'Status' || kubectlStatus));
    // No column is left out of the comparison: each one Cairn shows is one kubectl prints.
    for (const header of compared) expect(table.columnDefinitions.map((c) => c.name)).toContain(KUBECTL_NAME[header] ?? header);

    const differences: string[] = [];
    const seen: string[] = [];
    for (const cells of shown) {
      const id = `${cells[headers.indexOf('Namespace')]}/${cells[headers.indexOf('Name')]}`;
      seen.push(id);
      const theirs = kubectl.get(id);
      for (const header of compared) {
        const mine = cells[headers.indexOf(header)] ?? '';
        const want = theirs?.[KUBECTL_NAME[header] ?? header] ?? '(no such object)';
        // Times are printed at each reading's moment: allow the seconds between the two.
        if (mine !== want && !(['Age', 'Duration', 'Last run'].includes(header) && sameTime(mine, want, slack))) differences.push(`${id} ${header}: kubectl "${want}", Cairn "${mine}"`);
      }
    }
    expect(differences).toEqual([]);
    expect(seen.sort()).toEqual([...kubectl.keys()].sort());
  });
});
