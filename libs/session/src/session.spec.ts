import { credentialFor, Session } from './session';

describe('credentialFor: which token a request to a cluster carries', () => {
  const session: Session = {
    v: 1,
    issuedAt: 0,
    oidc: { token: 'oidc-token', expiresAt: 2_000_000_000, user: { name: 'alice@cairn.test' } },
    tokens: { main: { token: 'main-token', user: { name: 'system:serviceaccount:team-a:ci' } } },
  };

  it('takes the cluster\u2019s own bearer token first, else the OpenID token', () => {
    expect(credentialFor(session, 'main')).toEqual(expect.objectContaining({ token: 'main-token', kind: 'token' }));
    expect(credentialFor(session, 'other')).toEqual(expect.objectContaining({ token: 'oidc-token', kind: 'oidc' }));
  });

  it('never takes a built-in property of the token map for a stored token (a cluster named "constructor")', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(credentialFor(session, name)).toEqual(expect.objectContaining({ token: 'oidc-token', kind: 'oidc' }));
      expect(credentialFor({ v: 1, issuedAt: 0, tokens: {} }, name)).toBeUndefined();
    }
  });
});
