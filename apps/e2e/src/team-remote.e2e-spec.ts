import type { DevCluster } from '@cairn/kube-testenv';
import { createReadStream, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { eventually } from './support/eventually';
import { Stage, startStage } from './support/stage';

const workspace = resolve(__dirname, '../../..');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json', '.css': 'text/css', '.html': 'text/html', '.map': 'application/json' };

/**
 * Scenario 6: a team builds and serves its own remote (examples/team-quotas), registers it by
 * applying a labelled ConfigMap in the console's namespace, and it appears in the console —
 * no shell rebuild, no gateway restart. The gateway runs as in a pod (in-cluster, its own
 * service account); the remote reads with the signed-in user's rights.
 */
describe('a team ships its own remote at run time', () => {
  let stage: Stage;
  let page: Page;
  let team: Server;
  let teamOrigin: string;

  beforeAll(async () => {
    // The team's own static server for its build, with the CORS headers a cross-origin module needs.
    const root = join(workspace, 'dist/examples/team-quotas/browser');
    team = createServer((request, response) => {
      const file = join(root, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
      if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'access-control-allow-origin': '*' });
      createReadStream(file).pipe(response);
    });
    await new Promise<void>((listening) => team.listen(0, '127.0.0.1', listening));
    teamOrigin = `http://127.0.0.1:${(team.address() as AddressInfo).port}`;
    // The console's admin lets team remotes load from the team's origin (plain http: it is loopback).
    stage = await startStage({ settings: async (c) => ({ ...(await runInCluster(c)), CAIRN_REMOTES_ALLOWED_ORIGINS: teamOrigin }) });
    await stage.cluster.adminApi().json('POST', '/api/v1/namespaces/team-a/resourcequotas', { metadata: { name: 'compute' }, spec: { hard: { pods: '20', 'requests.cpu': '8' } } });
  }, 240_000);

  afterAll(async () => {
    await stage?.stop();
    team?.close();
  });

  afterEach(async () => {
    await screenshot(page, expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story');
    await page.context().close();
  });

  const navigation = () => page.getByRole('navigation', { name: 'Console' });
  const manifestRoutes = async () => ((await (await fetch(`${stage.cairn.url}/mfe-manifest.json`)).json()) as { remotes: Array<{ route: string }> }).remotes.map((r) => r.route);

  it('appears in the navigation once its ConfigMap is applied, runs from the team\u2019s own server with the user\u2019s rights, and leaves when the ConfigMap goes', async () => {
    page = await stage.signedIn('alice');
    const fromTeam: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(teamOrigin)) fromTeam.push(new URL(r.url()).pathname);
    });
    await page.goto(`${stage.cairn.url}/?cluster=cairn-dev&ns=team-a`);
    await navigation().getByRole('link').first().waitFor();
    expect(await navigation().getByRole('link').allInnerTexts()).toEqual(['Clusters', 'Logs', 'Workloads']);

    await stage.cluster.adminApi().json('POST', '/api/v1/namespaces/cairn/configmaps', {
      metadata: { name: 'team-quotas', labels: { 'cairn.dev/micro-frontend': 'true' } },
      data: { 'remote.json': JSON.stringify({ name: 'team-quotas', remoteEntry: `${teamOrigin}/remoteEntry.json`, exposedModule: './routes', route: 'quotas', label: 'Quotas', icon: 'grid' }) },
    });
    // The gateway watches the ConfigMaps: the next page load has the new module.
    expect(await eventually(manifestRoutes, (routes) => routes.includes('quotas'))).toContain('quotas');
    await page.reload();
    await navigation().getByRole('link', { name: 'Quotas' }).waitFor();
    // A shared link into the new module, with the cluster and namespace to look at.
    await page.goto(`${stage.cairn.url}/quotas?cluster=cairn-dev&ns=team-a`);
    await page.getByRole('heading', { name: 'Quotas', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Quota limits' });
    await table.getByRole('row').filter({ hasText: 'requests.cpu' }).getByRole('cell', { name: '8' }).waitFor();
    await screenshot(page, 'scenario-6-team-remote');
    expect(fromTeam).toContain('/remoteEntry.json');
    expect(fromTeam.some((p) => p.endsWith('.js'))).toBe(true);

    await stage.cluster.adminApi().send('DELETE', '/api/v1/namespaces/cairn/configmaps/team-quotas');
    expect(await eventually(manifestRoutes, (routes) => !routes.includes('quotas'))).not.toContain('quotas');
    await page.reload();
    await navigation().getByRole('link').first().waitFor();
    expect(await navigation().getByRole('link').allInnerTexts()).toEqual(['Clusters', 'Logs', 'Workloads']);
  });
});

/**
 * The gateway as in a pod: in-cluster, with its own service account allowed to read
 * ConfigMaps in the console's namespace, as the Helm chart sets it up.
 */
async function runInCluster(cluster: DevCluster): Promise<Record<string, string>> {
  const admin = cluster.adminApi();
  await admin.json('POST', '/api/v1/namespaces', { metadata: { name: 'cairn' } });
  await admin.json('POST', '/api/v1/namespaces/cairn/serviceaccounts', { metadata: { name: 'cairn-gateway' } });
  await admin.json('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/cairn/roles', {
    metadata: { name: 'cairn-remotes' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
  });
  await admin.json('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/cairn/rolebindings', {
    metadata: { name: 'cairn-remotes' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cairn-remotes' },
    subjects: [{ kind: 'ServiceAccount', name: 'cairn-gateway', namespace: 'cairn' }],
  });
  const { status } = await admin.json<{ status: { token: string } }>('POST', '/api/v1/namespaces/cairn/serviceaccounts/cairn-gateway/token', { spec: { expirationSeconds: 3600 } });
  const dir = mkdtempSync(join(tmpdir(), 'cairn-sa-'));
  writeFileSync(join(dir, 'ca.crt'), cluster.info.ca);
  writeFileSync(join(dir, 'namespace'), 'cairn');
  writeFileSync(join(dir, 'token'), status.token);
  const server = new URL(cluster.info.server);
  return { CAIRN_IN_CLUSTER: 'true', KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port, CAIRN_SERVICE_ACCOUNT_DIR: dir };
}
