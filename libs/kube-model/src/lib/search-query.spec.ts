import { kindNameMatches, requirementsText, MAX_SEARCH_QUERY, MAX_SEARCH_TERMS, nameMatches, parseLabelSelector, parseSearchQuery, searchableKinds, SearchableResource, SearchQuery } from './search-query';

const deployments: SearchableResource = { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['get', 'list', 'watch'], preferred: true, shortNames: ['deploy'], singular: 'deployment' };
const pods: SearchableResource = { group: 'core', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, verbs: ['list'], preferred: true, shortNames: ['po'] };
const events: SearchableResource = { group: 'core', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, verbs: ['list'], preferred: true, shortNames: ['ev'] };
const reviews: SearchableResource = { group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'], preferred: true };
const oldDeployments: SearchableResource = { ...deployments, version: 'v1beta1', preferred: false };

describe('global search queries', () => {
  it('reads names, kinds and label requirements', () => {
    expect(parseSearchQuery('kind:Deployment web')).toEqual({ kinds: ['deployment'], labels: [], nameTerms: ['web'] });
    expect(parseSearchQuery('kind:deploy,po  Front')).toEqual({ kinds: ['deploy', 'po'], labels: [], nameTerms: ['front'] });
    const q = parseSearchQuery('app=web tier!=db env in (a, b) !legacy');
    expect(q).toEqual({
      kinds: [],
      nameTerms: [],
      labels: [
        { key: 'app', operator: '=', values: ['web'] },
        { key: 'tier', operator: '!=', values: ['db'] },
        { key: 'env', operator: 'in', values: ['a', 'b'] },
        { key: 'legacy', operator: '!', values: [] },
      ],
    });
    expect(requirementsText((q as SearchQuery).labels)).toBe('app=web,tier!=db,env in (a,b),!legacy');
    expect(parseSearchQuery('app=web,tier notin (db)')).toMatchObject({ labels: [{ key: 'app' }, { key: 'tier', operator: 'notin', values: ['db'] }] });
    expect(parseLabelSelector('app.kubernetes.io/name==web,team')).toEqual([
      { key: 'app.kubernetes.io/name', operator: '=', values: ['web'] },
      { key: 'team', operator: 'exists', values: [] },
    ]);
  });

  it('says what is wrong with a query it cannot run', () => {
    expect(parseSearchQuery('   ')).toEqual({ problem: expect.stringContaining('write a name') });
    expect(parseSearchQuery('kind:')).toEqual({ problem: expect.stringContaining('write a kind') });
    expect(parseSearchQuery('app=-web')).toEqual({ problem: expect.stringContaining('label value "-web"') });
    expect(parseSearchQuery('-app=web')).toEqual({ problem: expect.stringContaining('label key "-app"') });
    expect(parseSearchQuery('env in ()')).toEqual({ problem: expect.stringContaining('at least one value') });
    expect(parseSearchQuery('app=web,,x=y')).toEqual({ problem: expect.stringContaining('empty requirement') });
    expect(parseSearchQuery('a=b=c')).toEqual({ problem: expect.stringContaining('more than one operator') });
    expect(parseSearchQuery('x'.repeat(MAX_SEARCH_QUERY + 1))).toEqual({ problem: `the query is longer than ${MAX_SEARCH_QUERY} characters.` });
    expect(parseSearchQuery(Array.from({ length: MAX_SEARCH_TERMS + 1 }, (_, i) => `n${i}`).join(' '))).toEqual({ problem: `the query has ${MAX_SEARCH_TERMS + 1} terms; at most ${MAX_SEARCH_TERMS} are allowed.` });
  });

  it('matches names by every piece, ignoring case', () => {
    expect(nameMatches('Web-Frontend', ['web', 'front'])).toBe(true);
    expect(nameMatches('web-frontend', ['api'])).toBe(false);
    expect(nameMatches('anything', [])).toBe(true);
  });

  it('names kinds as kubectl does and reads only list-able kinds in their preferred version', () => {
    for (const name of ['Deployment', 'deployments', 'deployment', 'deploy', 'deployments.apps', 'deploy.apps']) expect(kindNameMatches(deployments, name)).toBe(true);
    expect(kindNameMatches(deployments, 'deployments.extensions')).toBe(false);
    expect(kindNameMatches(pods, 'pods.core')).toBe(false);
    const all = [deployments, oldDeployments, pods, events, reviews];
    expect(searchableKinds(all).kinds).toEqual([deployments, pods]);
    expect(searchableKinds(all, ['ev', 'po', 'nope'])).toEqual({ kinds: [pods, events], unknown: ['nope'] });
  });
});
