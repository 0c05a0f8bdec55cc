import { DevCluster } from '@cairn/kube-testenv';
import { cpSync, createReadStream, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, recordRequests, screenshot } from './support/browser';
import { ConsoleUnderTest, startConsole } from './support/console-under-test';

const workspace = resolve(__dirname, '../../..');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json', '.css': 'text/css', '.html': 'text/html', '.map': 'application/json' };

/**
 * Scenario 6: a team builds and serves its own remote, registers it by applying a labelled
 * ConfigMap in the console's namespace, and it appears in the console — no shell rebuild,
 * no gateway restart. The gateway runs as in a pod (in-cluster, its own service account).
 * The team's remote here is the logs module's build, served from the team's own server
 * instead of the gateway.
 */
describe('a team ships its own remote at run time', () => {
  let cluster: DevCluster;
  let cairn: ConsoleUnderTest;
  let browser: Browser;
  let page: Page;
  let team: Server;
  let teamOrigin: string;

  beforeAll(async () => {
    cluster = await DevCluster.start();
    const admin = cluster.adminApi();
    // The console's namespace and the gateway's own identity, as the Helm chart makes them.
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
    const serviceAccount = mkdtempSync(join(tmpdir(), 'cairn-sa-'));
    writeFileSync(join(serviceAccount, 'ca.crt'), cluster.info.ca);
    writeFileSync(join(serviceAccount, 'namespace'), 'cairn');
    writeFileSync(join(serviceAccount, 'token'), status.token);

    // The console as released: the shell and two built-in modules; the logs module is not part of it.
    const webRoot = mkdtempSync(join(tmpdir(), 'cairn-web-'));
    for (const app of ['shell', 'mfe-workloads', 'mfe-clusters']) cpSync(join(workspace, 'dist/apps', app, 'browser'), join(webRoot, app, 'browser'), { recursive: true });

    // The team's own static server for its build, with the CORS headers a cross-origin module needs.
    const root = join(workspace, 'dist/apps/mfe-logs/browser');
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

    const server = new URL(cluster.info.server);
    cairn = await startConsole([], {
      CAIRN_IN_CLUSTER: 'true',
      KUBERNETES_SERVICE_HOST: server.hostname,
      KUBERNETES_SERVICE_PORT: server.port,
      CAIRN_SERVICE_ACCOUNT_DIR: serviceAccount,
      CAIRN_WEB_ROOT: webRoot,
    });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await cairn?.stop();
    team?.close();
    await cluster?.stop();
  });

  afterEach(async () => {
    await screenshot(page, expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story');
    await page.close();
  });

  const navigation = () => page.getByRole('navigation', { name: 'Console' });

  it('appears in the navigation once its ConfigMap is applied, and runs from the team\u2019s own server', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const requests = recordRequests(page);
    const fromTeam: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(teamOrigin)) fromTeam.push(new URL(r.url()).pathname);
    });
    await page.goto(`${cairn.url}/`);
    await navigation().getByRole('link').first().waitFor();
    expect(await navigation().getByRole('link').allInnerTexts()).toEqual(['Clusters', 'Workloads']);

    await cluster.adminApi().json('POST', '/api/v1/namespaces/cairn/configmaps', {
      metadata: { name: 'team-logs', labels: { 'cairn.dev/micro-frontend': 'true' } },
      data: { 'remote.json': JSON.stringify({ name: 'mfe-logs', remoteEntry: `${teamOrigin}/remoteEntry.json`, exposedModule: './routes', route: 'team-logs', label: 'Team logs', icon: 'logs' }) },
    });
    // The gateway watches the ConfigMaps: the next page load has the new module.
    for (let i = 0; i < 50; i++) {
      const manifest = (await (await fetch(`${cairn.url}/mfe-manifest.json`)).json()) as { remotes: Array<{ route: string }> };
      if (manifest.remotes.some((r) => r.route === 'team-logs')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.reload();
    await navigation().getByRole('link', { name: 'Team logs' }).click();
    await page.waitForURL(`${cairn.url}/team-logs**`);
    await page.locator('main h1').filter({ hasText: 'Logs' }).waitFor();
    expect(fromTeam).toContain('/remoteEntry.json');
    expect(fromTeam.some((p) => p.endsWith('.js'))).toBe(true);
    expect(requests.filter((p) => p.startsWith('/remotes/mfe-logs'))).toEqual([]);

    // Unregistering is as simple: delete the ConfigMap.
    await cluster.adminApi().send('DELETE', '/api/v1/namespaces/cairn/configmaps/team-logs');
    for (let i = 0; i < 50; i++) {
      const manifest = (await (await fetch(`${cairn.url}/mfe-manifest.json`)).json()) as { remotes: Array<{ route: string }> };
      if (!manifest.remotes.some((r) => r.route === 'team-logs')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.reload();
    await navigation().getByRole('link').first().waitFor();
    expect(await navigation().getByRole('link').allInnerTexts()).toEqual(['Clusters', 'Workloads']);
  });
});
