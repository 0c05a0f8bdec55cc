import { DevCluster, FROZEN_POD_STATUSES } from '@cairn/kube-testenv';
import { nodeStatusText } from './node-status';
import { podColumns, podStatus, podStatusFromCells, restartsText, unschedulable } from './pod-status';
import { printedRows } from './server-table';

/**
 * kubectl is the oracle: for every pod of the development cluster (its seed freezes pods in
 * every state kubectl distinguishes), the READY, STATUS and RESTARTS Cairn computes must be the
 * cells of the API server's table, which is what `kubectl get pods` prints.
 */
describe('podColumns against kubectl get pods (the API server table)', () => {
  let cluster: DevCluster;

  beforeAll(async () => {
    cluster = await DevCluster.start();
  }, 300_000);

  afterAll(() => cluster?.stop());

  type Table = { columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[]; object: { metadata: { name: string; namespace: string } } }> };
  type PodList = { items: Array<{ metadata: { name: string; namespace: string } }> };

  it('agrees on every pod of the seed, in every state', async () => {
    const admin = cluster.adminApi();
    // The table and the objects of one moment: the table rows carry the objects they print.
    const res = await admin.send('GET', '/api/v1/pods?includeObject=Object', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(res.status).toBe(200);
    const table = JSON.parse(res.body) as Table;
    const column = (name: string) => table.columnDefinitions.findIndex((c) => c.name === name);
    const [ready, status, restarts] = [column('Ready'), column('Status'), column('Restarts')];
    const at = Date.now();
    const differences: string[] = [];
    for (const row of table.rows) {
      const pod = row.object;
      const mine = podColumns(pod);
      const name = `${pod.metadata.namespace}/${pod.metadata.name}`;
      const theirs = { ready: row.cells[ready], status: row.cells[status], restarts: row.cells[restarts] };
      // The "(3m10s ago)" part is computed at the server's moment: allow the seconds that passed.
      const restartCells = [0, 1, 2, 3].map((s) => restartsText(mine, at - s * 1000));
      if (mine.ready !== theirs.ready || mine.status !== theirs.status || !restartCells.includes(String(theirs.restarts))) {
        differences.push(`${name}: kubectl ${JSON.stringify(theirs)}, Cairn ${JSON.stringify({ ready: mine.ready, status: mine.status, restarts: restartCells[0] })}`);
      }
    }
    expect(differences).toEqual([]);
    // The seed still has every shape it was given (a stage or controller has not rewritten one).
    const seen = new Set(table.rows.map((r) => String(r.cells[status])));
    expect(FROZEN_POD_STATUSES.filter((s) => !seen.has(s))).toEqual([]);
    expect(table.rows.length).toBe((await admin.get<PodList>('/api/v1/pods')).items.length);
  });

  it('reads the same status and health from the printed cells alone as from the pod (a list shown before its objects)', async () => {
    const admin = cluster.adminApi();
    const res = await admin.send('GET', '/api/v1/pods?includeObject=Object', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    const table = JSON.parse(res.body) as Table;
    const rows = printedRows(table, undefined);
    expect(rows.map((r) => r.name)).toEqual(table.rows.map((r) => r.object.metadata.name));
    const differences = table.rows.flatMap((row, i) => {
      const fromObject = podStatus(row.object);
      const fromCells = podStatusFromCells(rows[i]?.cells ?? {});
      // The one thing the cells cannot say: a Pending pod the scheduler cannot place (its reason is in the object).
      const expected = fromObject.health === 'warning' && unschedulable(row.object) ? { ...fromObject, health: 'progressing' } : fromObject;
      return fromCells.text === expected.text && fromCells.health === expected.health ? [] : [`${row.object.metadata.namespace}/${row.object.metadata.name}: from the pod ${JSON.stringify(expected)}, from the cells ${JSON.stringify(fromCells)}`];
    });
    expect(differences).toEqual([]);
    // The seed has pods of every health the list colours.
    expect(new Set(rows.map((r) => podStatusFromCells(r.cells).health))).toEqual(new Set(['ok', 'progressing', 'done', 'failed', 'warning']));
  });

  it('agrees on the STATUS of every node, the lost one included', async () => {
    const res = await cluster.adminApi().send('GET', '/api/v1/nodes?includeObject=Object', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    const table = JSON.parse(res.body) as Table;
    const status = table.columnDefinitions.findIndex((c) => c.name === 'Status');
    const rows = table.rows.map((r) => ({ name: r.object.metadata.name, kubectl: r.cells[status], cairn: nodeStatusText(r.object) }));
    expect(rows.filter((r) => r.kubectl !== r.cairn)).toEqual([]);
    expect(rows.map((r) => r.kubectl)).toContain('NotReady,SchedulingDisabled');
  });
});
