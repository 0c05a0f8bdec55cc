import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DevCluster, DevOidcProviderName } from './cluster';
import { KEYCLOAK_VERSION } from './keycloak';
import { runTool } from './kubectl';
import { passwordLogin, refreshTokens } from './oidc/password-login';
import { KubeApi, lines, WatchEvent } from './kube-api';
import { DEV_USERS } from './users';

/**
 * The development cluster is the real thing: these tests ask the real API server, with
 * the dev users' real tokens, and check what it decides.
 */

type Pod = { metadata: { name: string; namespace: string }; spec: { nodeName?: string }; status: { phase: string; containerStatuses?: Array<{ name: string; restartCount: number; state: { waiting?: { reason: string } } }> } };
type List<T> = { metadata: { resourceVersion: string }; items: T[] };

const eventually = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
};

describe('the development cluster', () => {
  let cluster: DevCluster;
  let admin: KubeApi;
  let provider: DevOidcProviderName = 'dev';
  const asUser = async (user: keyof typeof DEV_USERS) => cluster.tokenApi((await cluster.login(user, 'cairn', provider)).idToken);

  beforeAll(async () => {
    // Keycloak beside the dev provider: the token tests below run against both.
    cluster = await DevCluster.start({ keycloak: true, log: (line) => process.stderr.write(`${line}\n`) });
    admin = cluster.adminApi();
  }, 300_000);

  afterAll(async () => {
    admin?.close();
    await cluster?.stop();
  });

  describe.each<[string, DevOidcProviderName]>([
    ['the dev provider', 'dev'],
    [`Keycloak ${KEYCLOAK_VERSION}`, 'keycloak'],
  ])('tokens of %s', (_, name) => {
    beforeAll(() => {
      provider = name;
    });

    it('authenticates an ID token from the provider, with the email as username and the groups', async () => {
      const alice = await asUser('alice');
      const review = await alice.json<{ status: { userInfo: { username: string; groups: string[] } } }>(
        'POST',
        '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      );
      expect(review.status.userInfo.username).toBe('alice@cairn.test');
      expect(review.status.userInfo.groups).toEqual(expect.arrayContaining(['team-a-devs', 'system:authenticated']));
    });

    it('accepts tokens for the kubernetes audience too, and refuses a forged one', async () => {
      const tokens = await cluster.login('victor', 'kubernetes', provider);
      const ok = await cluster.tokenApi(tokens.idToken).send('GET', '/api/v1/namespaces/team-a/pods');
      expect(ok.status).toBe(200);
      const [header, payload] = tokens.idToken.split('.');
      const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload as string, 'base64url').toString()), email: 'admin@cairn.test' })).toString('base64url');
      const forged = `${header}.${forgedPayload}.${tokens.idToken.split('.')[2]}`;
      expect((await cluster.tokenApi(forged).send('GET', '/api/v1/namespaces/team-a/pods')).status).toBe(401);
    });

    it('forbids victor (view) to list secrets, while he reads everything else', async () => {
      const victor = await asUser('victor');
      expect((await victor.send('GET', '/api/v1/pods')).status).toBe(200);
      const secrets = await victor.send('GET', '/api/v1/namespaces/team-a/secrets');
      expect(secrets.status).toBe(403);
      expect(JSON.parse(secrets.body).message).toContain('User "victor@cairn.test" cannot list resource "secrets"');
      expect((await victor.send('DELETE', '/apis/apps/v1/namespaces/team-a/deployments/web?dryRun=All')).status).toBe(403);
    });

    it('lets tina act in tenant-1 and tenant-2 only, and not list namespaces', async () => {
      const tina = await asUser('tina');
      const namespaces = await tina.send('GET', '/api/v1/namespaces');
      expect(namespaces.status).toBe(403);
      expect(JSON.parse(namespaces.body).message).toContain('cannot list resource "namespaces"');
      expect((await tina.send('GET', '/api/v1/namespaces/tenant-1/secrets')).status).toBe(200);
      expect((await tina.send('GET', '/apis/apps/v1/namespaces/tenant-2/deployments')).status).toBe(200);
      expect((await tina.send('GET', '/api/v1/namespaces/team-a/pods')).status).toBe(403);
    });

    it('lets alice edit in team-a and nowhere else', async () => {
      const alice = await asUser('alice');
      const configMap = (ns: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'alice-probe', namespace: ns } });
      expect((await alice.send('POST', '/api/v1/namespaces/team-a/configmaps?dryRun=All', { body: JSON.stringify(configMap('team-a')) })).status).toBe(201);
      expect((await alice.send('POST', '/api/v1/namespaces/team-b/configmaps?dryRun=All', { body: JSON.stringify(configMap('team-b')) })).status).toBe(403);
    });
  });

  describe(`Keycloak ${KEYCLOAK_VERSION} beside the dev provider`, () => {
    it('is a second issuer: its own URL and keys, the same users and groups to RBAC', async () => {
      const keycloak = cluster.info.keycloak;
      expect(keycloak?.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/realms\/cairn$/);
      expect(keycloak?.issuer).not.toBe(cluster.info.oidc.issuer);
      const tokens = await cluster.login('admin', 'cairn', 'keycloak');
      const claims = JSON.parse(Buffer.from(tokens.idToken.split('.')[1] as string, 'base64url').toString());
      expect(claims).toMatchObject({ iss: keycloak?.issuer, aud: 'cairn', email: 'admin@cairn.test', email_verified: true, groups: ['cairn-admins'], preferred_username: 'admin' });
      // A refresh token comes with offline_access, and renews.
      expect(tokens.refreshToken).toBeTruthy();
      const renewed = await refreshTokens({ issuer: keycloak?.issuer as string, ca: cluster.info.ca, clientId: 'cairn', clientSecret: 'cairn-dev-client-secret', refreshToken: tokens.refreshToken as string });
      expect((await cluster.tokenApi(renewed.idToken).send('GET', '/api/v1/namespaces/team-b/secrets')).status).toBe(200);
    });

    it('kubectl auth whoami with a Keycloak token names the user and groups the API server mapped', async () => {
      const tokens = await cluster.login('alice', 'kubernetes', 'keycloak');
      const run = await runTool(
        `${cluster.info.binDir}/kubectl`,
        ['auth', 'whoami', '-o', 'json', `--server=${cluster.info.server}`, `--certificate-authority=${cluster.info.caFile}`, `--token=${tokens.idToken}`],
        { KUBECONFIG: '/dev/null' },
      );
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout).status.userInfo).toMatchObject({ username: 'alice@cairn.test', groups: ['team-a-devs', 'system:authenticated'] });
    });

    it('its access tokens carry the client as audience, so the API server takes them as the user too', async () => {
      const tokens = await cluster.login('victor', 'cairn', 'keycloak');
      const claims = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1] as string, 'base64url').toString());
      expect([claims.aud].flat()).toContain('cairn');
      const victor = cluster.tokenApi(tokens.accessToken);
      expect((await victor.send('GET', '/api/v1/namespaces/team-a/pods')).status).toBe(200);
      expect((await victor.send('GET', '/api/v1/namespaces/team-a/secrets')).status).toBe(403);
    });

    it('refuses a wrong password at its login form', async () => {
      await expect(passwordLoginAt(cluster, 'alice', 'not-her-password')).rejects.toThrow('refused the username/password of "alice"');
    });
  });

  it('signs the ServiceAccount in with its bearer token', async () => {
    const deployer = cluster.tokenApi(cluster.info.serviceAccount.token);
    const review = await deployer.json<{ status: { userInfo: { username: string } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(review.status.userInfo.username).toBe('system:serviceaccount:team-a:deployer');
    expect(existsSync(cluster.info.kubeconfig)).toBe(true);
  });

  it('runs the seeded workloads in every state a console must show', async () => {
    const ds = await admin.get<{ status: { numberReady: number; desiredNumberScheduled: number } }>('/apis/apps/v1/namespaces/monitoring/daemonsets/node-exporter');
    expect(ds.status.desiredNumberScheduled).toBe(2);
    const crashing = await eventually('a pod in CrashLoopBackOff with restarts', async () => {
      const pods = await admin.get<List<Pod>>('/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dqueue-worker');
      return pods.items.find((p) => (p.status.containerStatuses?.[0]?.restartCount ?? 0) > 0);
    });
    expect(crashing.status.containerStatuses?.[0]?.state.waiting?.reason).toBe('CrashLoopBackOff');
    const pending = await admin.get<List<Pod>>('/api/v1/namespaces/team-b/pods?labelSelector=app.kubernetes.io%2Fname%3Dgpu-trainer');
    expect(pending.items[0]?.status.phase).toBe('Pending');
    const warnings = await eventually('the scheduler to warn about the gpu trainer', async () => {
      const events = await admin.get<List<{ reason: string; type: string }>>('/api/v1/namespaces/team-b/events?fieldSelector=type%3DWarning');
      return events.items.find((e) => e.reason === 'FailedScheduling');
    });
    expect(warnings.type).toBe('Warning');
    const jobCondition = (ns: string, name: string) =>
      eventually(`job ${name} to finish`, async () => {
        const job = await admin.get<{ status: { conditions?: Array<{ type: string; status: string }> } }>(`/apis/batch/v1/namespaces/${ns}/jobs/${name}`);
        return job.status.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type;
      });
    expect(await jobCondition('team-a', 'migrate-schema')).toBe('Complete');
    expect(await jobCondition('tenant-2', 'backup')).toBe('Failed');
  });

  it('delivers a watch event after a scale, and answers 410 Gone to a too-old resourceVersion', async () => {
    const list = await admin.get<List<unknown>>('/apis/apps/v1/namespaces/team-a/deployments');
    const abort = new AbortController();
    const events = admin.watch<{ metadata: { name: string }; spec: { replicas: number } }>(
      `/apis/apps/v1/namespaces/team-a/deployments?watch=1&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`,
      abort.signal,
    );
    await admin.json('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web/scale', { spec: { replicas: 3 } }, 'application/merge-patch+json');
    let seen: WatchEvent<{ metadata: { name: string }; spec: { replicas: number } }> | undefined;
    for await (const event of events) {
      if (event.type === 'MODIFIED' && event.object.metadata.name === 'web' && event.object.spec.replicas === 3) {
        seen = event;
        break;
      }
    }
    abort.abort();
    expect(seen?.type).toBe('MODIFIED');
    await admin.json('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web/scale', { spec: { replicas: 2 } }, 'application/merge-patch+json');

    const before = await admin.get<List<unknown>>('/api/v1/namespaces/team-a/configmaps');
    // Two writes, so the compacted revision is past the first one the watch would need: etcd
    // serves a watch from rv+1, and compacting at exactly rv+1 keeps it (then no 410 comes).
    for (const name of ['compaction-probe', 'compaction-probe-2']) {
      await admin.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team-a' }, data: { at: String(Date.now()) } });
    }
    await cluster.compactEtcd();
    const gone = admin.watch<{ code: number; reason: string }>(`/api/v1/namespaces/team-a/configmaps?watch=1&resourceVersion=${before.metadata.resourceVersion}`);
    const first = (await gone.next()).value as WatchEvent<{ code: number; reason: string }>;
    expect(first.type).toBe('ERROR');
    expect(first.object.code).toBe(410);
    await gone.return(undefined);
  });

  it('sends the initial state of a watch-list, then a bookmark that marks its end', async () => {
    const abort = new AbortController();
    const events = admin.watch<{ metadata: { name: string; annotations?: Record<string, string> } }>(
      '/apis/apps/v1/namespaces/team-a/deployments?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
      abort.signal,
    );
    const added: string[] = [];
    let bookmark: WatchEvent<{ metadata: { annotations?: Record<string, string> } }> | undefined;
    for await (const event of events) {
      if (event.type === 'ADDED') added.push(event.object.metadata.name);
      if (event.type === 'BOOKMARK') {
        bookmark = event;
        break;
      }
    }
    abort.abort();
    expect(added).toEqual(expect.arrayContaining(['web', 'queue-worker']));
    expect(bookmark?.object.metadata.annotations?.['k8s.io/initial-events-end']).toBe('true');
  });

  it('streams a container log that kwok serves, following new lines, and the previous container', async () => {
    const pods = await admin.get<List<Pod>>('/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dweb');
    const pod = pods.items.find((p) => p.status.phase === 'Running') as Pod;
    // A line stamped well after the request started can only come from following the file.
    const since = Date.now() + 1500;
    const abort = new AbortController();
    const res = await admin.open('GET', `/api/v1/namespaces/team-a/pods/${pod.metadata.name}/log?container=web&follow=true&tailLines=5&timestamps=true`, { signal: abort.signal });
    expect(res.statusCode).toBe(200);
    let fresh: string | undefined;
    let count = 0;
    try {
      for await (const line of lines(res)) {
        count++;
        if (Date.parse(line.split(' ')[0] as string) > since) {
          fresh = line;
          break;
        }
      }
    } finally {
      abort.abort();
    }
    expect(count).toBeGreaterThan(5);
    expect(fresh).toMatch(/"GET \//);

    const worker = (await admin.get<List<Pod>>('/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dqueue-worker')).items[0] as Pod;
    const previous = await admin.send('GET', `/api/v1/namespaces/team-a/pods/${worker.metadata.name}/log?previous=true`);
    expect(previous.status).toBe(200);
    expect(previous.body).toContain('previous instance exited with code 1');
  });

  it('reaches the same API server by impersonation, as a ServiceAccount that may impersonate users and groups only, and its audit log says so', async () => {
    const impersonation = cluster.info.impersonation;
    expect(impersonation?.context).toBe('cairn-dev-impersonated');
    const config = parse(readFileSync(impersonation?.kubeconfig as string, 'utf8')) as { users: Array<{ user: { token: string } }>; clusters: Array<{ cluster: { server: string } }> };
    expect(config.clusters[0]?.cluster.server).toBe(cluster.info.server);
    const gateway = cluster.tokenApi(config.users[0]?.user.token as string);
    try {
      // Itself it may read nothing; as alice (with her group) it may do what alice may.
      expect((await gateway.send('GET', '/api/v1/namespaces/team-a/pods')).status).toBe(403);
      const asAlice = { 'Impersonate-User': 'alice@cairn.test', 'Impersonate-Group': 'team-a-devs' };
      expect((await gateway.send('GET', '/api/v1/namespaces/team-a/pods', { headers: asAlice })).status).toBe(200);
      expect((await gateway.send('GET', '/api/v1/namespaces/team-b/pods', { headers: asAlice })).status).toBe(403);
      // Not a ServiceAccount, not a uid, not extras: only users and groups.
      expect((await gateway.send('GET', '/api/v1/namespaces/team-a/pods', { headers: { 'Impersonate-User': 'system:serviceaccount:team-a:deployer' } })).status).toBe(403);
      expect((await gateway.send('GET', '/api/v1/namespaces/team-a/pods', { headers: { ...asAlice, 'Impersonate-Extra-Scopes': 'x' } })).status).toBe(403);
    } finally {
      gateway.close();
    }
    const events = await eventually('the impersonated list in the audit log', async () => {
      const lines = readFileSync(cluster.info.auditLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { verb: string; requestURI: string; user: { username: string }; impersonatedUser?: { username: string }; stage: string });
      const found = lines.filter((e) => e.stage === 'ResponseComplete' && e.impersonatedUser?.username === 'alice@cairn.test' && e.requestURI === '/api/v1/namespaces/team-a/pods');
      return found.length ? found : undefined;
    });
    expect(events[0]?.user.username).toBe('system:serviceaccount:default:cairn-impersonator');
  });

  it('stops every process it started', async () => {
    const pids = cluster.pids();
    expect(pids.length).toBeGreaterThanOrEqual(6);
    await cluster.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(cluster.info.dir)).toBe(false);
  });
});

/** A sign-in at the cluster's Keycloak with any password. */
function passwordLoginAt(cluster: DevCluster, username: string, password: string) {
  return passwordLogin({ issuer: cluster.issuer('keycloak'), ca: cluster.info.ca, clientId: 'cairn', clientSecret: 'cairn-dev-client-secret', username, password });
}
