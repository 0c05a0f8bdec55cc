import { execFile } from 'node:child_process';
import { canIListRows, DevCluster } from '@cairn/kube-testenv';
import { isWriteVerb, NonResourceRule, parseForbidden, ResourceRule, summariseRules, verbsOn } from './access';

/**
 * The API server and kubectl are the oracles: the refusals parsed are the dev cluster's own
 * 403s, and a rules review summarised must be the table `kubectl auth can-i --list` prints
 * for the same person and namespace.
 */
describe('access rules against the API server and kubectl auth can-i --list', () => {
  let cluster: DevCluster;
  const tokens: Record<string, string> = {};
  const USERS = ['gus', 'victor', 'tina', 'alice'] as const;

  beforeAll(async () => {
    cluster = await DevCluster.start();
    for (const user of USERS) tokens[user] = (await cluster.login(user)).idToken;
  }, 300_000);

  afterAll(() => cluster?.stop());

  const refusal = async (user: string, method: string, path: string) => {
    const res = await cluster.tokenApi(tokens[user]).send(method, path, method === 'GET' ? {} : { body: '{}', contentType: 'application/merge-patch+json' });
    expect(res.status).toBe(403);
    return JSON.parse(res.body) as { message: string };
  };

  it('reads who, verb, group, resource, subresource, name and namespace out of real 403s', async () => {
    expect(parseForbidden(`Cluster main refused: ${(await refusal('victor', 'GET', '/api/v1/namespaces/team-a/secrets')).message}`)).toEqual({
      user: 'victor@cairn.test',
      verb: 'list',
      group: '',
      resource: 'secrets',
      namespace: 'team-a',
    });
    expect(parseForbidden((await refusal('victor', 'GET', '/api/v1/namespaces/team-a/secrets/db-credentials')).message)).toEqual({
      user: 'victor@cairn.test',
      verb: 'get',
      group: '',
      resource: 'secrets',
      namespace: 'team-a',
      name: 'db-credentials',
    });
    expect(parseForbidden((await refusal('tina', 'GET', '/api/v1/namespaces')).message)).toEqual({ user: 'tina@cairn.test', verb: 'list', group: '', resource: 'namespaces' });
    expect(parseForbidden((await refusal('gus', 'PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web/scale')).message)).toMatchObject({
      user: 'gus@cairn.test',
      verb: 'patch',
      group: 'apps',
      resource: 'deployments',
      subresource: 'scale',
      namespace: 'team-a',
      name: 'web',
    });
    expect(parseForbidden('admission webhook "x" denied the request')).toBeUndefined();
  });

  const kubectlList = (user: string, namespace: string) =>
    new Promise<string>((resolve, reject) =>
      execFile(
        `${cluster.info.binDir}/kubectl`,
        ['--server', cluster.info.server, '--certificate-authority', cluster.info.caFile, '--token', tokens[user], 'auth', 'can-i', '--list', '-n', namespace],
        { env: { HOME: cluster.info.dir, KUBECONFIG: '/dev/null' } },
        (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)),
      ),
    );

  const rulesOf = async (user: (typeof USERS)[number], namespace: string) => {
    const res = await cluster.tokenApi(tokens[user]).send('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
      body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } }),
      contentType: 'application/json',
    });
    return (JSON.parse(res.body) as { status: { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[] } }).status;
  };

  it('names the verbs left on a resource as the API server decides them (SelfSubjectAccessReview)', async () => {
    const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
    const cases = [
      ['victor', 'team-b', '', 'secrets', undefined],
      ['victor', 'team-b', '', 'pods', undefined],
      ['victor', 'team-b', '', 'pods', 'log'],
      ['gus', 'team-a', 'apps', 'deployments', undefined],
      ['gus', 'team-a', '', 'secrets', undefined],
      ['tina', 'tenant-1', '', 'secrets', undefined],
      ['alice', 'team-a', 'apps', 'deployments', 'scale'],
    ] as const;
    for (const [user, namespace, group, resource, subresource] of cases) {
      const status = await rulesOf(user, namespace);
      const summary = verbsOn(summariseRules(status.resourceRules, status.nonResourceRules), { group, resource, subresource });
      const decided: string[] = [];
      for (const verb of VERBS) {
        const review = await cluster.tokenApi(tokens[user]).json<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb, group, resource, subresource, namespace } },
        });
        if (review.status.allowed) decided.push(verb);
      }
      const expanded = summary.includes('*') ? VERBS : summary.filter((v) => VERBS.includes(v));
      expect({ user, resource, subresource, verbs: [...expanded].sort() }).toEqual({ user, resource, subresource, verbs: decided.sort() });
    }
  });

  for (const [user, namespace] of [
    ['gus', 'team-a'],
    ['victor', 'team-b'],
    ['tina', 'tenant-1'],
    ['tina', 'team-a'],
    ['alice', 'team-a'],
  ] as const) {
    it(`summarises ${user}'s rules in ${namespace} as kubectl does`, async () => {
      const status = await rulesOf(user, namespace);
      const mine = summariseRules(status.resourceRules, status.nonResourceRules).map((l) => `${l.resource}|${l.resourceNames.join(' ')}|${l.verbs.join(' ')}`);
      const theirs = canIListRows(await kubectlList(user, namespace));
      expect(mine.length).toBeGreaterThan(0);
      // kubectl repeats a URL once per rule naming it; the summary lists it once.
      expect([...mine].sort()).toEqual([...new Set(theirs)]);
    });
  }

  it('calls only get, list and watch reads', () => {
    expect(['get', 'list', 'watch', 'LIST'].map(isWriteVerb)).toEqual([false, false, false, false]);
    expect(['create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', 'impersonate', '*'].every(isWriteVerb)).toBe(true);
  });
});
