import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import { DEV_DISCOVERY_LABEL, DevCluster, DevUserName, gatewayServiceAccountDir, kubectl, kubectlOut } from '@cairn/kube-testenv';
import type { MyNamespaces } from '@cairn/api-contracts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayFor, TestGateway } from '../testing/gateway-against';
import { readGatewaySettings } from '../settings/gateway-settings';

/**
 * Tenants find their namespaces (issue 24 item 2), against the real control plane, with
 * `kubectl auth can-i list pods --as=<user> --as-group=<group>… -n <ns>` as the oracle: what
 * the gateway returns is exactly the candidates kubectl says yes for, and a labelled namespace
 * the person has no rights in (team-b, for tina) never reaches them.
 */
const SESSION_KEY = 's'.repeat(48);
const LABEL = `${DEV_DISCOVERY_LABEL.key}=${DEV_DISCOVERY_LABEL.value}`;
const GROUPS = { 'team-a-devs': ['team-a'], 'tenant-owners': ['tenant-1', 'team-b'], support: ['team-a'] };

describe('namespace discovery for people who may not list namespaces (real cluster, kubectl auth can-i as oracle)', () => {
  let cluster: DevCluster;
  let saDir: string;
  let labelled: TestGateway;
  let both: TestGateway;
  let bounded: TestGateway;
  const idTokens: Partial<Record<DevUserName, string>> = {};
  /** Who the API server says each person is (SelfSubjectReview): what kubectl's --as and --as-group get. */
  const identities: Partial<Record<DevUserName, { username: string; groups: string[] }>> = {};
  const USERS: DevUserName[] = ['tina', 'alice', 'victor', 'admin', 'gus', 'lola'];

  beforeAll(async () => {
    cluster = await DevCluster.start();
    saDir = await gatewayServiceAccountDir(cluster);
    for (const user of USERS) {
      const token = (idTokens[user] = (await cluster.login(user)).idToken);
      const review = await cluster.tokenApi(token).json<{ status: { userInfo: { username: string; groups?: string[] } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'SelfSubjectReview',
      });
      identities[user] = { username: review.status.userInfo.username, groups: review.status.userInfo.groups ?? [] };
    }
    const base = { CAIRN_SERVICE_ACCOUNT_DIR: saDir, CAIRN_NAMESPACE_DISCOVERY_CLUSTERS: 'cairn-dev' };
    labelled = await gatewayFor(cluster.info.kubeconfig, { ...base, CAIRN_NAMESPACE_DISCOVERY: 'labelled' });
    both = await gatewayFor(cluster.info.kubeconfig, { ...base, CAIRN_NAMESPACE_DISCOVERY: 'labelled,groups', CAIRN_NAMESPACE_DISCOVERY_GROUPS: JSON.stringify(GROUPS) });
    bounded = await gatewayFor(cluster.info.kubeconfig, { ...base, CAIRN_NAMESPACE_DISCOVERY: 'labelled', CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES: '2' });
  }, 420_000);

  afterAll(async () => {
    await labelled?.close();
    await both?.close();
    await bounded?.close();
    await cluster?.stop();
  }, 120_000);

  /** The gateway's answer for `user`, with a bearer header (no verified groups) or a session cookie holding the ID token's groups claim. */
  const ask = async (gateway: TestGateway, user: DevUserName, via: 'bearer' | 'session' = 'bearer', query = '') => {
    const token = idTokens[user] as string;
    let headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (via === 'session') {
      // What the auth service seals after verifying the ID token: its `groups` claim, as is.
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { email: string; groups?: string[] };
      const now = Math.floor(Date.now() / 1000);
      const session: Session = { v: 1, issuedAt: now, oidc: { token, expiresAt: now + 300, user: { name: claims.email, email: claims.email, groups: claims.groups ?? [] } } };
      headers = { cookie: `${SESSION_COOKIE}=${await new SealedBox([SESSION_KEY], SESSION_PURPOSE).seal(session, { ttlSeconds: 300 })}` };
    }
    const res = await fetch(`${gateway.base}/api/v1/clusters/cairn-dev/my-namespaces${query}`, { headers });
    expect(res.status).toBe(200);
    return (await res.json()) as MyNamespaces;
  };

  /** kubectl's answer: the candidates in which `kubectl auth can-i list pods` as this person says yes. */
  const oracle = async (user: DevUserName, candidates: string[]) => {
    const who = identities[user] as { username: string; groups: string[] };
    const allowed: string[] = [];
    for (const ns of candidates) {
      const run = await kubectl(cluster.info, ['auth', 'can-i', 'list', 'pods', `--as=${who.username}`, ...who.groups.map((g) => `--as-group=${g}`), '-n', ns]);
      if (run.stdout.trim() === 'yes') allowed.push(ns);
      else expect(run.stdout.trim()).toBe('no');
    }
    return allowed.sort();
  };

  const labelledCandidates = async () =>
    (await kubectlOut(cluster, ['get', 'namespaces', '-l', LABEL, '-o', 'jsonpath={.items[*].metadata.name}'])).split(/\s+/).filter(Boolean).sort();

  it('the seed labels tina\u2019s two namespaces and team-b, where she has no rights', async () => {
    expect(await labelledCandidates()).toEqual(['team-b', 'tenant-1', 'tenant-2']);
    // tina cannot list namespaces herself: discovery is what finds hers.
    const run = await kubectl(cluster.info, ['auth', 'can-i', 'list', 'namespaces', `--as=${identities.tina?.username}`]);
    expect(run.stdout.trim()).toBe('no');
  });

  it.each(['tina', 'alice', 'victor', 'admin'] as const)('labelled: %s gets exactly the labelled namespaces kubectl auth can-i list pods says yes for', async (user) => {
    const answer = await ask(labelled, user);
    expect(answer.methods).toEqual(['labelled']);
    expect(answer.namespaces).toEqual(await oracle(user, await labelledCandidates()));
    expect(answer.limited).toBeUndefined();
  });

  it('labelled: tina gets tenant-1 and tenant-2, never team-b; alice gets none of them', async () => {
    expect((await ask(labelled, 'tina')).namespaces).toEqual(['tenant-1', 'tenant-2']);
    expect((await ask(labelled, 'alice')).namespaces).toEqual([]);
    expect((await ask(labelled, 'victor')).namespaces).toEqual(['team-b', 'tenant-1', 'tenant-2']);
  });

  it.each(['tina', 'alice', 'victor', 'admin', 'gus', 'lola'] as const)('labelled and groups: %s (groups from the verified ID token) gets exactly what kubectl says yes for among the candidates', async (user) => {
    const groups = identities[user]?.groups ?? [];
    const byGroups = Object.entries(GROUPS).filter(([g]) => groups.includes(g)).flatMap(([, ns]) => ns);
    const candidates = [...new Set([...(await labelledCandidates()), ...byGroups])].sort();
    const answer = await ask(both, user, 'session');
    expect(answer.methods).toEqual(['labelled', 'groups']);
    expect(answer.namespaces).toEqual(await oracle(user, candidates));
  });

  it('groups: alice finds team-a by her group, lola by hers, gus (get without list) does not, and tina\u2019s mapped team-b stays hidden', async () => {
    expect((await ask(both, 'alice', 'session')).namespaces).toEqual(['team-a']);
    expect((await ask(both, 'lola', 'session')).namespaces).toEqual(['team-a']);
    expect((await ask(both, 'gus', 'session')).namespaces).toEqual([]);
    expect((await ask(both, 'tina', 'session')).namespaces).toEqual(['tenant-1', 'tenant-2']);
    // A bare bearer header carries no groups the gateway verified: only the labelled candidates.
    expect((await ask(both, 'alice', 'bearer')).namespaces).toEqual([]);
  });

  it('crossing the candidate bound checks only the first ones by name and names the bound', async () => {
    const admin = await ask(bounded, 'admin');
    expect(admin.namespaces).toEqual(['team-b', 'tenant-1']);
    expect(admin.limited).toEqual({ limit: 2, setting: 'CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES', message: expect.stringContaining('CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES') });
    expect(admin.limited?.message).toContain('first 2');
    const tina = await ask(bounded, 'tina');
    expect(tina.namespaces).toEqual(['tenant-1']);
    expect(tina.limited?.limit).toBe(2);
  });

  it('keeps a caller\u2019s answer briefly; fresh=true asks the API server again (a new namespace, then a revoked binding)', async () => {
    expect((await ask(labelled, 'tina')).namespaces).toEqual(['tenant-1', 'tenant-2']);
    await kubectlOut(cluster, ['create', 'namespace', 'tenant-3']);
    await kubectlOut(cluster, ['label', 'namespace', 'tenant-3', LABEL]);
    await kubectlOut(cluster, ['create', 'rolebinding', 'tina-admin', '--clusterrole=admin', `--user=${identities.tina?.username}`, '-n', 'tenant-3']);
    expect((await ask(labelled, 'tina')).namespaces).toEqual(['tenant-1', 'tenant-2']);
    expect((await ask(labelled, 'tina', 'bearer', '?fresh=true')).namespaces).toEqual(await oracle('tina', await labelledCandidates()));
    expect((await ask(labelled, 'tina')).namespaces).toEqual(['tenant-1', 'tenant-2', 'tenant-3']);
    await kubectlOut(cluster, ['delete', 'rolebinding', 'tina-admin', '-n', 'tenant-3']);
    expect((await ask(labelled, 'tina', 'bearer', '?fresh=true')).namespaces).toEqual(['tenant-1', 'tenant-2']);
    await kubectlOut(cluster, ['delete', 'namespace', 'tenant-3', '--wait=false']);
  });

  it('refuses a caller without credentials, and a query it does not know', async () => {
    expect((await fetch(`${labelled.base}/api/v1/clusters/cairn-dev/my-namespaces`)).status).toBe(401);
    const res = await fetch(`${labelled.base}/api/v1/clusters/cairn-dev/my-namespaces?fresh=maybe`, { headers: { authorization: `Bearer ${idTokens.tina}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('fresh');
  });

  it('a gateway whose own ServiceAccount may not list namespaces answers 502 saying so, and what to do', async () => {
    // team-a/deployer may edit team-a, not list namespaces: as a chart installed without the discovery role.
    const dir = mkdtempSync(join(cluster.info.dir, 'deployer-sa-'));
    writeFileSync(join(dir, 'token'), cluster.info.serviceAccount.token);
    const misconfigured = await gatewayFor(cluster.info.kubeconfig, { CAIRN_SERVICE_ACCOUNT_DIR: dir, CAIRN_NAMESPACE_DISCOVERY_CLUSTERS: 'cairn-dev', CAIRN_NAMESPACE_DISCOVERY: 'labelled' });
    try {
      const res = await fetch(`${misconfigured.base}/api/v1/clusters/cairn-dev/my-namespaces`, { headers: { authorization: `Bearer ${idTokens.tina}` } });
      expect(res.status).toBe(502);
      const { message } = (await res.json()) as { message: string };
      expect(message).toContain("the console's own ServiceAccount could not list the namespaces labelled cairn.io/tenant-visible=true");
      expect(message).toContain('system:serviceaccount:team-a:deployer');
      expect(message).toContain('type your namespace');
    } finally {
      await misconfigured.close();
    }
  });

  it('answers nothing found (and asks nothing) on a console where discovery is off', async () => {
    const off = await gatewayFor(cluster.info.kubeconfig);
    try {
      expect(await ask(off, 'tina')).toEqual({ methods: [], namespaces: [] });
    } finally {
      await off.close();
    }
  });
});

describe('namespace discovery settings', () => {
  let dir: string;
  let kubeconfig: string;
  let saDir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-discovery-settings-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'main', cluster: { server: 'https://127.0.0.1:6443' } }],
        contexts: [{ name: 'main', context: { cluster: 'main', user: 'nobody' } }],
        users: [{ name: 'nobody', user: {} }],
      }),
    );
    saDir = mkdtempSync(join(dir, 'sa-'));
    writeFileSync(join(saDir, 'token'), 'a-token');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const read = (env: Record<string, string>) =>
    readGatewaySettings({ KUBECONFIG: kubeconfig, CAIRN_WEB_ROOT: dir, CAIRN_IN_CLUSTER: 'false', CAIRN_SERVICE_ACCOUNT_DIR: saDir, CAIRN_NAMESPACE_DISCOVERY_CLUSTERS: 'main', ...env }, dir);

  it('reads the defaults: the cairn.io/tenant-visible=true label, 50 candidates, 30 s', () => {
    expect(read({ CAIRN_NAMESPACE_DISCOVERY: 'labelled' }).namespaceDiscovery).toEqual({
      methods: ['labelled'],
      labelSelector: 'cairn.io/tenant-visible=true',
      groups: {},
      clusters: ['main'],
      maxCandidates: 50,
      cacheSeconds: 30,
    });
    expect(read({}).namespaceDiscovery).toBeUndefined();
    expect(read({ CAIRN_NAMESPACE_DISCOVERY: 'off' }).namespaceDiscovery).toBeUndefined();
  });

  it.each([
    [{ CAIRN_NAMESPACE_DISCOVERY: 'labeled' }, /^CAIRN_NAMESPACE_DISCOVERY: "labeled" is not a method: use off, labelled, groups/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'labelled', CAIRN_NAMESPACE_DISCOVERY_LABEL: 'tenant-visible' }, /^CAIRN_NAMESPACE_DISCOVERY_LABEL: "tenant-visible": is not key=value/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'labelled', CAIRN_NAMESPACE_DISCOVERY_LABEL: 'Bad Key=true' }, /^CAIRN_NAMESPACE_DISCOVERY_LABEL: "Bad Key=true": .*label key/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'labelled', CAIRN_NAMESPACE_DISCOVERY_LABEL: 'cairn.io/visible=yes please' }, /^CAIRN_NAMESPACE_DISCOVERY_LABEL: .*label value/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'groups' }, /^CAIRN_NAMESPACE_DISCOVERY_GROUPS: is needed by the groups method/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'groups', CAIRN_NAMESPACE_DISCOVERY_GROUPS: 'team-a-devs=team-a' }, /^CAIRN_NAMESPACE_DISCOVERY_GROUPS: is not JSON; it must be a JSON object/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'groups', CAIRN_NAMESPACE_DISCOVERY_GROUPS: '["team-a"]' }, /^CAIRN_NAMESPACE_DISCOVERY_GROUPS: is not a JSON object/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'groups', CAIRN_NAMESPACE_DISCOVERY_GROUPS: '{"devs":"team-a"}' }, /^CAIRN_NAMESPACE_DISCOVERY_GROUPS: gives group "devs" something that is not a list/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'groups', CAIRN_NAMESPACE_DISCOVERY_GROUPS: '{"devs":["Team_A"]}' }, /^CAIRN_NAMESPACE_DISCOVERY_GROUPS: gives group "devs" the namespace "Team_A", which must be lowercase/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'labelled', CAIRN_NAMESPACE_DISCOVERY_CLUSTERS: 'prod' }, /^CAIRN_NAMESPACE_DISCOVERY_CLUSTERS: "prod" is not a configured cluster \(configured: main\)/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'labelled', CAIRN_NAMESPACE_DISCOVERY_CLUSTERS: '' }, /^CAIRN_NAMESPACE_DISCOVERY_CLUSTERS: is needed: the gateway is not in a cluster/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'labelled', CAIRN_SERVICE_ACCOUNT_DIR: '/nonexistent' }, /^CAIRN_NAMESPACE_DISCOVERY: labelled lists namespaces with the gateway's own ServiceAccount, but \/nonexistent\/token is missing/],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'labelled', CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES: '501' }, /^CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES: /],
    [{ CAIRN_NAMESPACE_DISCOVERY: 'labelled', CAIRN_NAMESPACE_DISCOVERY_CACHE_SECONDS: '-1' }, /^CAIRN_NAMESPACE_DISCOVERY_CACHE_SECONDS: /],
  ])('refuses %j at start with a message naming the setting', (env, message) => {
    // SettingError's message starts with the setting's name: what the gateway prints before it stops.
    expect(() => read(env)).toThrow(message);
  });
});
