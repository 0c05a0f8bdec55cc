import { ClaimMappingError, impersonationHeaders, MAX_IMPERSONATED_GROUPS, userFromClaims } from './impersonation';

/**
 * The claim mapping's edges. That it gives the same user as the API server's own JWT
 * authenticator is checked against the real API server in the gateway's impersonation.spec.ts
 * (whoami and rules reviews on a cluster trusting the provider and on one reached by impersonation).
 */
describe('userFromClaims (the API server\u2019s claimMappings)', () => {
  const mapping = { usernameClaim: 'email', usernamePrefix: '', groupsClaim: 'groups', groupsPrefix: '' };

  it('maps the username and groups claims with their prefixes; a string groups claim is one group', () => {
    expect(userFromClaims({ email: 'a@x.test', email_verified: true, groups: ['dev', 'ops', 'dev'] }, { ...mapping, usernamePrefix: 'oidc:', groupsPrefix: 'oidc:' })).toEqual({ username: 'oidc:a@x.test', groups: ['oidc:dev', 'oidc:ops'] });
    expect(userFromClaims({ sub: '1234', team: 'dev' }, { ...mapping, usernameClaim: 'sub', groupsClaim: 'team' })).toEqual({ username: '1234', groups: ['dev'] });
    expect(userFromClaims({ email: 'a@x.test' })).toEqual({ username: 'a@x.test', groups: [] });
  });

  it.each([
    ['no username claim', { sub: 'x' }, 'has no "email" claim'],
    ['an empty username', { email: '' }, 'has no "email" claim'],
    ['an unverified e-mail', { email: 'a@x.test', email_verified: false }, 'not verified (email_verified)'],
    ['groups that are not strings', { email: 'a@x.test', groups: [1, 2] }, 'neither a string nor a list of strings'],
    ['a system: group', { email: 'a@x.test', groups: ['system:masters'] }, '"system:masters", a name Kubernetes reserves'],
    ['a system: user', { email: 'system:admin' }, '"system:admin"'],
    ['a name a header cannot carry', { email: 'zoë@x.test' }, 'printable ASCII only'],
    ['a header injection', { email: 'a@x.test\r\nImpersonate-Group: system:masters' }, 'printable ASCII only'],
    [`more than ${MAX_IMPERSONATED_GROUPS} groups`, { email: 'a@x.test', groups: Array.from({ length: MAX_IMPERSONATED_GROUPS + 1 }, (_, i) => `g${i}`) }, `at most ${MAX_IMPERSONATED_GROUPS}`],
  ])('refuses %s, saying why', (_what, claims, message) => {
    expect(() => userFromClaims(claims)).toThrow(ClaimMappingError);
    expect(() => userFromClaims(claims)).toThrow(message);
  });

  it('takes exactly the bound of groups', () => {
    const groups = Array.from({ length: MAX_IMPERSONATED_GROUPS }, (_, i) => `g${i}`);
    expect(userFromClaims({ email: 'a@x.test', groups }).groups).toHaveLength(MAX_IMPERSONATED_GROUPS);
  });

  it('sends Impersonate-Group once per group', () => {
    expect(impersonationHeaders({ username: 'a', groups: ['x', 'y'] })).toEqual({ 'Impersonate-User': 'a', 'Impersonate-Group': ['x', 'y'] });
    expect(impersonationHeaders({ username: 'a', groups: [] })).toEqual({ 'Impersonate-User': 'a' });
  });
});
