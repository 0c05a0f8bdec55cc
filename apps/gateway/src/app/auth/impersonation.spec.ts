import { existsSync, readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { delimiter } from 'node:path';
import { readGatewaySettings } from '../settings/gateway-settings';
import { canIListRows, DEV_IMPERSONATOR, DEV_USERS, DevCluster, DevUserName, KubeApi, kubectlOut } from '@cairn/kube-testenv';
import { NonResourceRule, ResourceRule, summariseRules } from '@cairn/kube-model';
import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import { gatewayFor, TestGateway } from '../testing/gateway-against';
import { openWatchTab } from '../testing/watch-tab';
import { until } from '../testing/until';
import { captureJsonLogs } from '../testing/json-logs';

/**
 * Impersonation mode (issue 24 item 1) against the real dev cluster: one gateway with the
 * cluster twice, `cairn-dev` (its API server trusts the dev provider's ID tokens) and
 * `cairn-dev-impersonated` (the same API server reached with ServiceAccount
 * default/cairn-impersonator's token plus Impersonate-* headers). Oracles: the API server's own
 * access decisions on both, `kubectl auth can-i --list --as --as-group`, and the API server's
 * audit log for who it saw.
 */

const SESSION_KEY = 'i'.repeat(48);
const DIRECT = 'cairn-dev';
const IMPERSONATED = DEV_IMPERSONATOR.context;
const IMPERSONATOR = `system:serviceaccount:${DEV_IMPERSONATOR.namespace}:${DEV_IMPERSONATOR.name}`;

interface AuditEvent {
  auditID: string;
  stage: string;
  requestURI: string;
  verb: string;
  user: { username: string; groups?: string[] };
  impersonatedUser?: { username: string; groups?: string[] };
  responseStatus?: { code?: number };
  objectRef?: { resource?: string; namespace?: string; name?: string };
}

describe('impersonation mode (real gateway, real cluster, the API server\u2019s audit log)', () => {
  let cluster: DevCluster;
  let admin: KubeApi;
  let gateway: TestGateway;
  let kubeconfigs: string;
  let logs: ReturnType<typeof captureJsonLogs>;

  beforeAll(async () => {
    cluster = await DevCluster.start();
    admin = cluster.adminApi();
    const impersonation = cluster.info.impersonation;
    if (!impersonation) throw new Error('the dev cluster has no impersonation kubeconfig (seeded?)');
    kubeconfigs = `${cluster.info.kubeconfig}${delimiter}${impersonation.kubeconfig}`;
    // The gateway's own audit lines are read from its JSON log.
    logs = captureJsonLogs();
    gateway = await gatewayFor(kubeconfigs, { CAIRN_SESSION_KEY: SESSION_KEY, CAIRN_IMPERSONATE_CLUSTERS: IMPERSONATED, CAIRN_LOG_LEVEL: 'log', CAIRN_LOG_FORMAT: 'json' });
  }, 420_000);

  afterAll(async () => {
    logs?.restore();
    await gateway?.close();
    admin?.close();
    await cluster?.stop();
  });

  /** A fresh session cookie of `user`, holding a real ID token from the dev provider, sealed as the auth service seals it. */
  const cookieOf = async (user: DevUserName, extra: Partial<Session> = {}) => {
    const tokens = await cluster.login(user);
    const now = Math.floor(Date.now() / 1000);
    const session: Session = { v: 1, issuedAt: now, oidc: { token: tokens.idToken, expiresAt: now + tokens.expiresIn, user: { name: DEV_USERS[user].email, email: DEV_USERS[user].email } }, ...extra };
    return `${SESSION_COOKIE}=${await new SealedBox([SESSION_KEY], SESSION_PURPOSE).seal(session, { ttlSeconds: 600 })}`;
  };

  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
    const res = await fetch(gateway.base + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json', 'x-cairn-csrf': '1' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = {};
    }
    return { status: res.status, json, text };
  };

  const auditEvents = (): AuditEvent[] => {
    const file = cluster.info.auditLog;
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent);
  };
  /** The ResponseComplete audit events whose request URI contains `marker`, once the API server has written one (the log backend writes as it answers). */
  const auditedWith = (marker: string) => until(`the audit log to record ${marker}`, async () => {
    const found = auditEvents().filter((e) => e.stage === 'ResponseComplete' && e.requestURI.includes(marker));
    return found.length ? found : undefined;
  }, 20_000);

  const USERS = ['alice', 'victor', 'tina'] as const;
  const NAMESPACES = ['team-a', 'team-b', 'tenant-1'] as const;

  const summaryRows = (review: { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[] }) =>
    summariseRules(review.resourceRules, review.nonResourceRules)
      .map((line) => (line.nonResource ? `${line.resource}||${[...line.verbs].sort().join(' ')}` : `${line.resource}|${line.resourceNames.join(' ')}|${[...line.verbs].sort().join(' ')}`))
      .sort();

  it.each(USERS)('%s: the same user, groups and rules on the cluster that trusts the provider and on the impersonated one, and what kubectl --as lists', async (user) => {
    const cookie = await cookieOf(user);
    const direct = await call('GET', `/api/v1/clusters/${DIRECT}/whoami`, { cookie });
    const impersonated = await call('GET', `/api/v1/clusters/${IMPERSONATED}/whoami`, { cookie });
    expect(direct.status).toBe(200);
    expect(impersonated.status).toBe(200);
    const who = (r: typeof direct) => ({ username: r.json['username'], groups: [...((r.json['groups'] as string[]) ?? [])].sort() });
    expect(who(impersonated)).toEqual(who(direct));
    expect(who(impersonated)).toEqual({ username: DEV_USERS[user].email, groups: [...DEV_USERS[user].groups, 'system:authenticated'].sort() });

    for (const namespace of NAMESPACES) {
      const a = await call('GET', `/api/v1/clusters/${DIRECT}/rules-review?namespace=${namespace}`, { cookie });
      const b = await call('GET', `/api/v1/clusters/${IMPERSONATED}/rules-review?namespace=${namespace}`, { cookie });
      expect([a.status, b.status]).toEqual([200, 200]);
      const rows = summaryRows(b.json as never);
      expect({ namespace, rows }).toEqual({ namespace, rows: summaryRows(a.json as never) });
      const listed = await kubectlOut(cluster, ['--context', 'cairn-dev', 'auth', 'can-i', '--list', `--as=${DEV_USERS[user].email}`, ...DEV_USERS[user].groups.map((g) => `--as-group=${g}`), '-n', namespace]);
      expect({ namespace, rows }).toEqual({ namespace, rows: [...new Set(canIListRows(listed))] });
      // kubectl repeats a URL once per rule naming it; the summary lists it once.
    }

    // Batched access reviews (what decides every action the console offers) answer alike too.
    const checks = NAMESPACES.flatMap((namespace) => [
      { verb: 'patch', group: 'apps', resource: 'deployments', namespace },
      { verb: 'delete', group: '', resource: 'pods', namespace },
      { verb: 'get', group: '', resource: 'secrets', namespace },
      { verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace },
      { verb: 'list', group: '', resource: 'namespaces' },
    ]);
    const reviewA = await call('POST', `/api/v1/clusters/${DIRECT}/access-reviews`, { cookie }, { checks });
    const reviewB = await call('POST', `/api/v1/clusters/${IMPERSONATED}/access-reviews`, { cookie }, { checks });
    expect([reviewA.status, reviewB.status]).toEqual([200, 200]);
    const allowed = (r: typeof reviewA) => (r.json['results'] as Array<{ allowed: boolean }>).map((x) => x.allowed);
    expect(allowed(reviewB)).toEqual(allowed(reviewA));
    if (user === 'alice') expect(allowed(reviewB).slice(0, 4)).toEqual([true, true, true, true]);
    if (user === 'victor') expect(allowed(reviewB).every((x, i) => x === (i % 5 === 4))).toBe(true);
  }, 120_000);

  it('the API server\u2019s audit log names the real user as impersonatedUser and the gateway\u2019s ServiceAccount as user; the direct cluster names the user alone', async () => {
    const cookie = await cookieOf('alice');
    const marker = `audit-marker-${Date.now()}`;
    expect((await call('GET', `/api/v1/clusters/${IMPERSONATED}/resources/core/v1/configmaps/${marker}?namespace=team-a`, { cookie })).status).toBe(404);
    const [viaImpersonation] = await auditedWith(marker);
    expect(viaImpersonation).toMatchObject({ verb: 'get', user: { username: IMPERSONATOR }, impersonatedUser: { username: 'alice@cairn.test', groups: expect.arrayContaining(['team-a-devs']) }, responseStatus: { code: 404 } });

    const direct = `${marker}-direct`;
    expect((await call('GET', `/api/v1/clusters/${DIRECT}/resources/core/v1/configmaps/${direct}?namespace=team-a`, { cookie })).status).toBe(404);
    const [viaOidc] = await auditedWith(direct);
    expect(viaOidc?.user.username).toBe('alice@cairn.test');
    expect(viaOidc?.impersonatedUser).toBeUndefined();

    // A change, audited by the gateway as the person and by the API server as the ServiceAccount acting for her.
    const name = `${marker}-cm`;
    const created = await call('POST', `/api/v1/clusters/${IMPERSONATED}/resources/core/v1/configmaps?namespace=team-a`, { cookie, origin: gateway.base }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { by: 'impersonation' } });
    expect(created.status).toBe(201);
    const stored = await admin.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/team-a/configmaps/${name}`);
    expect(stored.data).toEqual({ by: 'impersonation' });
    const creation = await until('the creation in the audit log', async () => auditEvents().find((e) => e.stage === 'ResponseComplete' && e.verb === 'create' && e.objectRef?.name === name), 20_000);
    expect(creation).toMatchObject({ user: { username: IMPERSONATOR }, impersonatedUser: { username: 'alice@cairn.test' }, responseStatus: { code: 201 } });
    // The gateway's own audit line names the person, the cluster and whom it acted as there.
    expect(logs.audits().find((a) => typeof a['target'] === 'string' && (a['target'] as string).includes(name))).toMatchObject({ who: 'alice@cairn.test', cluster: IMPERSONATED, as: 'alice@cairn.test', result: 'ok' });
  }, 120_000);

  it('refuses anonymous callers, bearer tokens and bearer-only sessions on the impersonated cluster before any upstream request, saying why', async () => {
    const marker = `refused-${Date.now()}`;
    const path = `/api/v1/clusters/${IMPERSONATED}/resources/core/v1/configmaps/${marker}?namespace=team-a`;
    const anonymous = await call('GET', path);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json['message']).toContain('reached by impersonation (CAIRN_IMPERSONATE_CLUSTERS)');

    const alice = await cluster.login('alice');
    const bearer = await call('GET', path, { authorization: `Bearer ${alice.idToken}` });
    expect(bearer.status).toBe(403);
    expect(bearer.json['message']).toContain('A bearer token cannot be used here');
    // The deployer's ServiceAccount token, which the API server itself would accept: refused all the same.
    const saBearer = await call('GET', path, { authorization: `Bearer ${cluster.info.serviceAccount.token}` });
    expect(saBearer.status).toBe(403);

    // Signed in with a bearer token only ("Use a bearer token"): a session with no OpenID sign-in.
    const now = Math.floor(Date.now() / 1000);
    const tokenOnly: Session = { v: 1, issuedAt: now, tokens: { [DIRECT]: { token: cluster.info.serviceAccount.token, user: { name: 'system:serviceaccount:team-a:deployer' } } } };
    const tokenCookie = `${SESSION_COOKIE}=${await new SealedBox([SESSION_KEY], SESSION_PURPOSE).seal(tokenOnly, { ttlSeconds: 300 })}`;
    const bearerSession = await call('GET', path, { cookie: tokenCookie });
    expect(bearerSession.status).toBe(403);
    expect(bearerSession.json['message']).toContain('You signed in with a bearer token only');
    // An OpenID session that also carries a pasted token for this very cluster.
    const mixed = await call('GET', path, { cookie: await cookieOf('alice', { tokens: { [IMPERSONATED]: { token: cluster.info.serviceAccount.token, user: { name: 'deployer' } } } }) });
    expect(mixed.status).toBe(403);
    expect(mixed.json['message']).toContain(`DELETE /auth/token/${IMPERSONATED}`);
    // A watch is refused the same way: the stream (or its subscription) answers 401.
    const tab = openWatchTab(gateway.base, [{ id: 'p', cluster: IMPERSONATED, group: 'core', version: 'v1', resource: 'configmaps', namespace: 'team-a', fieldSelector: `metadata.name=${marker}` }], {});
    try {
      await until('the anonymous watch to be refused', async () => tab.status() === 401 || tab.frames.some((f) => f.data.status === 401), 20_000);
    } finally {
      tab.close();
    }

    // None of these reached the API server: a later request through the same cluster is in the audit log, these are not.
    const cookie = await cookieOf('alice');
    const after = `${marker}-after`;
    expect((await call('GET', `/api/v1/clusters/${IMPERSONATED}/resources/core/v1/configmaps/${after}?namespace=team-a`, { cookie })).status).toBe(404);
    await auditedWith(after);
    expect(auditEvents().filter((e) => e.requestURI.includes(marker) && !e.requestURI.includes(after))).toEqual([]);
  }, 120_000);

  it('ignores Impersonate-* headers a browser or client sends: only the verified ID token decides whom the gateway acts as', async () => {
    const victor = await cookieOf('victor');
    const forged = { 'impersonate-user': 'admin@cairn.test', 'impersonate-group': 'cairn-admins', 'impersonate-extra-scopes': 'all' };
    const marker = `forged-${Date.now()}`;
    // victor (view: no Secrets) asking for a Secret while claiming to be admin: still victor.
    const secret = await call('GET', `/api/v1/clusters/${IMPERSONATED}/resources/core/v1/secrets/db-credentials?namespace=team-a`, { cookie: victor, ...forged });
    expect(secret.status).toBe(403);
    const who = await call('GET', `/api/v1/clusters/${IMPERSONATED}/whoami`, { cookie: victor, ...forged });
    expect(who.json['username']).toBe('victor@cairn.test');
    const list = await call('GET', `/api/v1/clusters/${IMPERSONATED}/resources/core/v1/configmaps/${marker}?namespace=team-a`, { cookie: victor, ...forged });
    expect(list.status).toBe(404);
    const [event] = await auditedWith(marker);
    expect(event).toMatchObject({ user: { username: IMPERSONATOR }, impersonatedUser: { username: 'victor@cairn.test', groups: expect.arrayContaining(['auditors']) } });
    expect(event?.impersonatedUser?.groups).not.toContain('cairn-admins');

    // On the direct cluster the header is not passed on either: the admin (who may impersonate) stays the admin.
    const adminToken = (await cluster.login('admin')).idToken;
    const asAdmin = await call('GET', `/api/v1/clusters/${DIRECT}/whoami`, { authorization: `Bearer ${adminToken}`, 'impersonate-user': 'victor@cairn.test' });
    expect(asAdmin.json['username']).toBe('admin@cairn.test');
  }, 120_000);

  it('watches, logs and shared upstream watches work through impersonation, each person as themselves', async () => {
    const alice = await cookieOf('alice');
    const victor = await cookieOf('victor');
    const subscription = (id: string) => ({ id, cluster: IMPERSONATED, group: 'core', version: 'v1', resource: 'configmaps', namespace: 'team-a' });
    const aliceTab = openWatchTab(gateway.base, [subscription('a')], { cookie: alice });
    const victorTab = openWatchTab(gateway.base, [subscription('v')], { cookie: victor });
    try {
      await aliceTab.waitFor('alice\u2019s first configmaps', (f) => f.event === 'watch' && f.data.object?.metadata.name === 'web-config');
      await victorTab.waitFor('victor\u2019s first configmaps', (f) => f.event === 'watch' && f.data.object?.metadata.name === 'web-config');
      const name = `watched-${Date.now()}`;
      await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team-a' }, data: { a: '1' } });
      await aliceTab.waitFor('the new ConfigMap on alice\u2019s watch', (f) => f.data.type === 'ADDED' && f.data.object?.metadata.name === name);
      await victorTab.waitFor('the new ConfigMap on victor\u2019s watch', (f) => f.data.type === 'ADDED' && f.data.object?.metadata.name === name);
      // Each watched as themselves: the API server saw two watches, one per impersonated user.
      const watchers = await until('both watches in the audit log', async () => {
        const users = new Set(auditEvents().filter((e) => e.verb === 'watch' && e.requestURI.includes('/namespaces/team-a/configmaps') && e.user.username === IMPERSONATOR).map((e) => e.impersonatedUser?.username));
        return users.has('alice@cairn.test') && users.has('victor@cairn.test') ? users : undefined;
      });
      expect(watchers.size).toBeGreaterThanOrEqual(2);
    } finally {
      aliceTab.close();
      victorTab.close();
    }

    // Logs: the same text as on the cluster that trusts the provider.
    const pod = (await admin.get<{ items: Array<{ metadata: { name: string }; status?: { phase?: string } }> }>('/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dweb')).items.find((p) => p.status?.phase === 'Running');
    expect(pod).toBeDefined();
    const logPath = (c: string) => `/api/v1/clusters/${c}/namespaces/team-a/pods/${pod?.metadata.name}/log?container=web&tailLines=5&previous=false`;
    const viaImpersonation = await call('GET', logPath(IMPERSONATED), { cookie: alice });
    expect(viaImpersonation.status).toBe(200);
    expect(viaImpersonation.text.split('\n').filter(Boolean).length).toBeGreaterThan(0);
    // victor's view role includes pods/log; gus may not read logs: refused by the API server through impersonation too.
    const gus = await call('GET', logPath(IMPERSONATED), { cookie: await cookieOf('gus') });
    const gusDirect = await call('GET', logPath(DIRECT), { cookie: await cookieOf('gus') });
    expect(gus.status).toBe(gusDirect.status);
  }, 120_000);

  it('a terminal (the exec WebSocket) opens through impersonation for alice and is refused by the API server for victor', async () => {
    const pod = (await admin.get<{ items: Array<{ metadata: { name: string }; status?: { phase?: string } }> }>('/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dweb')).items.find((p) => p.status?.phase === 'Running')?.metadata.name;
    expect(pod).toBeDefined();
    const marker = `exec${Date.now()}`;
    const terminal = async (user: DevUserName) => {
      const socket = new WebSocket(`${gateway.base.replace('http', 'ws')}/api/v1/clusters/${IMPERSONATED}/namespaces/team-a/pods/${pod}/exec?command=sh&command=-c&command=${encodeURIComponent(`echo ${marker}`)}&container=web&tty=false`, {
        headers: { cookie: await cookieOf(user), origin: gateway.base },
      });
      let out = '';
      const messages: unknown[] = [];
      socket.on('message', (data: Buffer, isBinary) => {
        if (isBinary) out += data.subarray(1).toString('utf8');
        else messages.push(JSON.parse(data.toString('utf8')));
      });
      const code = await new Promise<number>((resolve) => socket.once('close', (c) => resolve(c)));
      return { out, messages, code };
    };
    const alice = await terminal('alice');
    expect(alice.out).toContain(marker);
    expect(alice.messages).toContainEqual({ type: 'exit', code: 0 });
    const victor = await terminal('victor');
    expect(victor.out).toBe('');
    expect(victor.messages).toEqual([expect.objectContaining({ type: 'error', status: 403 })]);
    const execs = await until('both exec requests in the audit log', async () => {
      const found = auditEvents().filter((e) => e.stage === 'ResponseComplete' && e.requestURI.includes(`/pods/${pod}/exec`) && e.requestURI.includes(marker));
      return found.length >= 2 ? found : undefined;
    }, 20_000);
    for (const e of execs) expect(e.user.username).toBe(IMPERSONATOR);
    expect(logs.audits().filter((a) => a['action'] === 'exec' && a['cluster'] === IMPERSONATED).map((a) => a['as'])).toEqual(expect.arrayContaining(['alice@cairn.test', 'victor@cairn.test']));
    expect(execs.map((e) => e.impersonatedUser?.username).sort()).toEqual(['alice@cairn.test', 'victor@cairn.test']);
  }, 120_000);

  it('stops at start, naming the setting, when an impersonated cluster is unknown or its context has no token of the gateway\u2019s own', () => {
    const env = { KUBECONFIG: kubeconfigs, CAIRN_IN_CLUSTER: 'false', CAIRN_WEB_ROOT: '.' };
    expect(() => readGatewaySettings({ ...env, CAIRN_IMPERSONATE_CLUSTERS: 'prod' }, process.cwd())).toThrow(/CAIRN_IMPERSONATE_CLUSTERS.*"prod".*cairn-dev, cairn-dev-deployer, cairn-dev-impersonated/);
    // cairn-dev's user is the admin's client certificate: the gateway impersonates with a bearer token only.
    expect(() => readGatewaySettings({ ...env, CAIRN_IMPERSONATE_CLUSTERS: 'cairn-dev' }, process.cwd())).toThrow(/CAIRN_IMPERSONATE_CLUSTERS.*has no token/);
    expect(() => readGatewaySettings({ ...env, CAIRN_IMPERSONATE_CLUSTERS: IMPERSONATED, CAIRN_IMPERSONATE_GROUPS_PREFIX: 'system:' }, process.cwd())).toThrow(/CAIRN_IMPERSONATE_GROUPS_PREFIX/);
    const settings = readGatewaySettings({ ...env, CAIRN_IMPERSONATE_CLUSTERS: IMPERSONATED, CAIRN_IMPERSONATE_USERNAME_PREFIX: 'oidc:' }, process.cwd());
    expect(settings.clusters.find((c) => c.name === IMPERSONATED)?.impersonation).toEqual({ token: expect.any(String) });
    expect(settings.clusters.find((c) => c.name === DIRECT)?.impersonation).toBeUndefined();
    expect(settings.claimMapping).toEqual({ usernameClaim: 'email', usernamePrefix: 'oidc:', groupsClaim: 'groups', groupsPrefix: '' });
  });
});
