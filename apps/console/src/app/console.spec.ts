import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevCluster, freePort } from '@cairn/kube-testenv';
import { Console, createConsole } from './console';

/**
 * The all-in-one process against the real control plane and the dev OpenID provider: one port,
 * the auth service reached only through the gateway in memory (its own port never opens), and
 * both directions working — the browser's `/auth/*` requests, and the auth service asking the
 * gateway who a bearer token is when someone signs in with one.
 */
describe('console: gateway and auth service in one process', () => {
  let cluster: DevCluster;
  let cairn: Console;
  let base: string;
  let authPort: number;
  let webRoot: string;

  beforeAll(async () => {
    cluster = await DevCluster.start();
    const port = await freePort();
    authPort = await freePort();
    webRoot = mkdtempSync(join(tmpdir(), 'cairn-console-web-'));
    base = `http://127.0.0.1:${port}`;
    const { oidc } = cluster.info;
    cairn = await createConsole(
      {
        KUBECONFIG: cluster.info.kubeconfig,
        CAIRN_PORT: String(port),
        CAIRN_AUTH_PORT: String(authPort),
        CAIRN_HOST: '127.0.0.1',
        CAIRN_IN_CLUSTER: 'false',
        CAIRN_WEB_ROOT: webRoot,
        CAIRN_LOG_LEVEL: 'error',
        CAIRN_SESSION_KEY: 'k'.repeat(48),
        CAIRN_PUBLIC_URL: base,
        CAIRN_INSECURE_COOKIES: 'true',
        CAIRN_CA_BUNDLE: oidc.caFile,
        OIDC_ISSUER_URL: oidc.issuer,
        OIDC_CLIENT_ID: oidc.clients.cairn.clientId,
        OIDC_CLIENT_SECRET: oidc.clients.cairn.clientSecret as string,
        OIDC_SCOPES: 'openid profile email groups offline_access',
      },
      process.cwd(),
    );
    await cairn.gateway.listen(port, '127.0.0.1');
  }, 300_000);

  afterAll(async () => {
    await cairn?.close();
    await cluster?.stop();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('answers the auth service\u2019s pages on the gateway\u2019s port, and opens no port of its own', async () => {
    const providers = await fetch(`${base}/auth/providers`);
    expect(providers.status).toBe(200);
    expect(await providers.json()).toMatchObject({ oidc: expect.anything() });
    const login = await fetch(`${base}/auth/login?returnTo=%2Fworkloads`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toContain(cluster.info.oidc.issuer);
    // A sign-in cookie for the callback, first-party on the gateway's origin.
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(authPort, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve('open')));
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('signs in with a ServiceAccount token: the auth service asks the gateway in memory, and the session works for the API', async () => {
    const { status } = await cluster.adminApi().json<{ status: { token: string } }>('POST', '/api/v1/namespaces/team-a/serviceaccounts/deployer/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 600 },
    });
    const signIn = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cairn-csrf': '1', origin: base },
      body: JSON.stringify({ cluster: 'cairn-dev', token: status.token }),
    });
    expect(signIn.status).toBe(200);
    const cookies = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect(cookies).not.toBe('');
    const who = await fetch(`${base}/api/v1/clusters/cairn-dev/whoami`, { headers: { cookie: cookies } });
    expect(await who.json()).toMatchObject({ username: 'system:serviceaccount:team-a:deployer' });
    const wrong = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cairn-csrf': '1', origin: base },
      body: JSON.stringify({ cluster: 'cairn-dev', token: 'not-a-token' }),
    });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).message).toContain('did not accept this token');
  });
});
