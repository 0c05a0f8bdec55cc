import * as z from 'zod/mini';
import { AccessReviewBody, ApplyBody, ListQuery, LogQuery, ObjectParams, ReplaceBody, ScaleBody, WatchQuery } from './gateway-requests';
import { BearerTokenSignInBody } from './auth-requests';
import { clusterName, isKubeName, kubeName } from './kube-names';
import { DebugContainerBody, DebugCopyBody, MAX_DEBUG_IMAGE_CHARS } from './debug-requests';

const ok = (schema: z.ZodMiniType, value: unknown) => schema.safeParse(value).success;
const messages = (schema: z.ZodMiniType, value: unknown) => schema.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('the names a request may carry (Kubernetes\u2019 own rules)', () => {
  it('takes namespaces that are DNS labels, and nothing that could leave its path segment', () => {
    for (const good of ['team-a', 'a', '0abc', 'x'.repeat(63)]) expect([good, ok(kubeName('namespace'), good)]).toEqual([good, true]);
    for (const bad of ['', 'Team_A', '-a', 'a-', '..', 'a/b', 'a?b=1', 'a%2F..', 'x'.repeat(64), 'a.b']) expect([bad, ok(kubeName('namespace'), bad)]).toEqual([bad, false]);
  });

  it('takes every object name a path segment can hold (RBAC\u2019s `Team Leads`, `oncall+sre`), up to 253 characters, and refuses path tricks', () => {
    for (const good of ['web-1', 'system:controller:job-controller', 'a.b', 'User@x', 'Team Leads', 'oncall+sre', 'ops:', '...', 'x'.repeat(253)]) expect([good, isKubeName('name', good)]).toEqual([good, true]);
    for (const bad of ['', '.', '..', 'a/..', 'a%2F', 'x'.repeat(254), 'a\u0000', 'a\nb']) expect([bad, isKubeName('name', bad)]).toEqual([bad, false]);
  });

  it('takes groups, versions and resources as the API server names them', () => {
    expect(ok(ObjectParams, { cluster: 'main', group: 'cert-manager.io', version: 'v1beta1', resource: 'certificates', name: 'c' })).toBe(true);
    expect(messages(ObjectParams, { cluster: 'main', group: 'core', version: 'v1/../secrets', resource: 'pods', name: 'p' })).toEqual([expect.stringMatching(/^version: must be an API version such as v1, v1beta1/)]);
    // A CRD may serve any DNS-1035 label as a version.
    for (const version of ['v1-preview', 'v2rc1', 'v1alpha1', 'x'.repeat(63)]) expect([version, ok(kubeName('version'), version)]).toEqual([version, true]);
    for (const version of ['1v', 'V1', 'v1-', 'v1.0', 'x'.repeat(64)]) expect([version, ok(kubeName('version'), version)]).toEqual([version, false]);
    expect(ok(ObjectParams, { cluster: 'main', group: 'Apps', version: 'v1', resource: 'pods', name: 'p' })).toBe(false);
  });

  it('takes any printable cluster name (EKS context names hold ":" and "/"), not control characters', () => {
    expect(ok(clusterName, 'arn:aws:eks:eu-west-1:123:cluster/prod')).toBe(true);
    expect(ok(clusterName, 'user:lab')).toBe(true);
    expect(ok(clusterName, 'a\nb')).toBe(false);
    expect(ok(clusterName, '')).toBe(false);
  });
});

describe('queries, which arrive as text', () => {
  it('turns limit into a number within 1..10000 and says the bound otherwise', () => {
    expect(ListQuery.parse({ limit: '500', as: 'Table' })).toEqual({ limit: 500, as: 'Table' });
    for (const bad of ['0', '10001', '-4', '1.5', 'ten', '']) expect([bad, messages(ListQuery, { limit: bad })]).toEqual([bad, ['limit: must be a whole number from 1 to 10000']]);
    expect(messages(ListQuery, { as: 'table' })[0]).toContain('must be "Table"');
  });

  it('reads true/1 and false/0 as booleans, and nothing else', () => {
    expect(LogQuery.parse({ follow: '1', previous: 'false', tailLines: '0' })).toEqual({ follow: true, previous: false, tailLines: 0 });
    expect(messages(LogQuery, { follow: 'yes' })).toEqual(['follow: must be true or false']);
  });

  it('bounds selectors and continue tokens', () => {
    expect(ok(ListQuery, { labelSelector: 'a=b'.repeat(2730) })).toBe(true);
    expect(ok(ListQuery, { labelSelector: 'x'.repeat(8193) })).toBe(false);
  });

  it('reads watch subscriptions from JSON: non-empty, at most 50, each id once, each name checked', () => {
    const sub = (id: string) => ({ id, cluster: 'main', group: 'core', version: 'v1', resource: 'pods', namespace: 'team-a' });
    expect(WatchQuery.parse({ subscriptions: JSON.stringify([sub('a')]) }).subscriptions).toEqual([sub('a')]);
    expect(messages(WatchQuery, { subscriptions: '[' })[0]).toContain('must be JSON');
    expect(messages(WatchQuery, {})[0]).toContain('must be given');
    expect(messages(WatchQuery, { subscriptions: '[]' })[0]).toContain('non-empty');
    expect(messages(WatchQuery, { subscriptions: JSON.stringify(Array.from({ length: 51 }, (_, i) => sub(`s${i}`))) })[0]).toContain('at most 50');
    expect(messages(WatchQuery, { subscriptions: JSON.stringify([sub('a'), sub('a')]) })[0]).toContain('each id once');
    expect(messages(WatchQuery, { subscriptions: JSON.stringify([{ ...sub('a'), namespace: '../x' }]) })).toEqual([expect.stringContaining('subscriptions.0.namespace: must be a namespace name')]);
    expect(messages(WatchQuery, { subscriptions: JSON.stringify([{ ...sub('a'), resourceVersion: 'abc' }]) })[0]).toContain('resourceVersion from a list');
  });
});

describe('bodies', () => {
  it('scales to whole numbers from 0 to 100000 only', () => {
    expect(ScaleBody.parse({ replicas: 0 })).toEqual({ replicas: 0 });
    for (const bad of [-1, 1.5, 100_001, '3', null]) expect([bad, ok(ScaleBody, { replicas: bad })]).toEqual([bad, false]);
  });

  it('asks an edit for the resourceVersion it was made from, and refuses "0" (which skips the conflict check)', () => {
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', resourceVersion: '42' }, data: { a: '1' } };
    expect(ReplaceBody.parse(object)).toEqual(object);
    expect(messages(ReplaceBody, { ...object, metadata: { name: 'c', resourceVersion: '0' } })).toEqual([expect.stringContaining('metadata.resourceVersion: must be the version the object was edited from')]);
    expect(messages(ReplaceBody, { ...object, metadata: { name: 'c' } })).toEqual([expect.stringContaining('metadata.resourceVersion: must be the version')]);
  });

  it('takes up to 100 access checks with known verbs', () => {
    const check = { verb: 'list', group: 'apps', resource: 'deployments', namespace: 'team-a' };
    expect(ok(AccessReviewBody, { checks: [check, { verb: 'get', group: '', resource: 'pods', namespace: '' }] })).toBe(true);
    expect(messages(AccessReviewBody, { checks: [] })[0]).toContain('at least one check');
    expect(messages(AccessReviewBody, { checks: Array(101).fill(check) })[0]).toContain('at most 100');
    expect(messages(AccessReviewBody, { checks: [{ ...check, verb: 'hack' }] })[0]).toContain('checks.0.verb: must be one of get, list');
  });

  it('asks an apply for some YAML', () => {
    expect(messages(ApplyBody, { yaml: '  \n' })).toEqual(['yaml: must hold one or more YAML (or JSON) documents']);
    expect(ok(ApplyBody, { yaml: 'a: 1', namespace: 'Bad' })).toBe(false);
  });

  it('cleans a pasted bearer token and refuses one for a user-added cluster', () => {
    expect(BearerTokenSignInBody.parse({ cluster: ' main ', token: '  Bearer abc.def \n' })).toEqual({ cluster: 'main', token: 'abc.def' });
    expect(messages(BearerTokenSignInBody, { cluster: 'main', token: 'two words' })[0]).toContain('one line of printable characters');
    expect(messages(BearerTokenSignInBody, { cluster: 'user:lab', token: 'abc' })[0]).toContain('keeps its credentials in your browser');
    expect(messages(BearerTokenSignInBody, { cluster: 'main', token: 'x'.repeat(8193) })[0]).toContain('at most 8 KiB');
  });
});

describe('a debug container and a debug copy (kubectl debug)', () => {
  it('take an image, a container name, a pod name and a command within their bounds', () => {
    expect(ok(DebugContainerBody, { image: 'busybox:1.37', target: 'web', name: 'dbg', command: ['sh', '-c', 'ps'] })).toBe(true);
    expect(ok(DebugContainerBody, { image: 'busybox:1.37' })).toBe(true);
    expect(ok(DebugCopyBody, { copyName: 'web-1-debug.x', container: 'web', shareProcesses: false })).toBe(true);
  });

  it('refuse what the API server or the bounds would, saying which rule', () => {
    expect(messages(DebugContainerBody, { image: 'busy box' })[0]).toContain('no spaces');
    expect(messages(DebugContainerBody, { image: 'x'.repeat(MAX_DEBUG_IMAGE_CHARS + 1) })[0]).toContain(`at most ${MAX_DEBUG_IMAGE_CHARS} characters`);
    expect(messages(DebugContainerBody, { image: 'b', target: 'Web_1' })[0]).toContain('must be a container name');
    expect(messages(DebugContainerBody, { image: 'b', command: Array.from({ length: 65 }, () => 'x') })[0]).toContain('at most 64 words');
    // A field kubectl debug has but the console does not take (it always attaches with a terminal) is not dropped silently.
    expect(DebugContainerBody.safeParse({ image: 'b', tty: true }).error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['tty'] });
    expect(messages(DebugCopyBody, { copyName: 'Web_copy' })[0]).toContain('must be a pod name');
  });
});
