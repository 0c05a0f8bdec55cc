import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { createGateway } from './gateway';
import { DEFAULT_GATEWAY_LIMITS, GatewaySettings } from './settings/gateway-settings';

/** A web root laid out as the build leaves it: the shell and one built-in remote. */
function webRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'cairn-web-'));
  mkdirSync(join(root, 'shell', 'browser'), { recursive: true });
  writeFileSync(join(root, 'shell', 'browser', 'index.html'), '<!doctype html><title>Cairn</title><meta name="csp-nonce" content="CAIRN_CSP_NONCE">');
  writeFileSync(join(root, 'shell', 'browser', 'main-ABCD1234.js'), 'export {};');
  const remote = join(root, 'mfe-logs', 'browser');
  mkdirSync(remote, { recursive: true });
  writeFileSync(join(remote, 'remoteEntry.json'), JSON.stringify({ name: 'mfe-logs', shared: [], exposes: [] }));
  writeFileSync(join(remote, 'mfe.json'), JSON.stringify({ exposedModule: './routes', route: 'logs', label: 'Logs', icon: 'logs' }));
  return root;
}

describe('gateway over HTTP', () => {
  let root: string;
  let gateway: NestFastifyApplication;
  let authService: Server | undefined;

  async function start(authServiceUrl = 'http://127.0.0.1:9'): Promise<void> {
    const settings: GatewaySettings = {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'error',
      logFormat: 'text',
      webRoot: root,
      authServiceUrl: new URL(authServiceUrl),
      clusters: [],
      kubeconfigProblems: [],
      extraCa: [],
      insecureSkipTlsVerify: false,
      upstreamHttp2: true,
      sessionKeys: [],
      userRequestRate: 50,
      serviceAccountDir: '/nonexistent',
      userClusterDeny: [],
      anonymousUserClusters: false,
      sourceRequestRate: 50,
      limits: DEFAULT_GATEWAY_LIMITS,
      remotesAllowedOrigins: [],
    };
    gateway = await createGateway(settings);
    await gateway.init();
    await gateway.getHttpAdapter().getInstance().ready();
  }

  const get = (url: string, accept = 'application/json') =>
    gateway.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers: { accept } });

  beforeEach(() => {
    root = webRoot();
  });

  afterEach(async () => {
    await gateway?.close();
    authService?.close();
    authService = undefined;
    rmSync(root, { recursive: true, force: true });
  });

  it('answers liveness, readiness and its version', async () => {
    await start();
    expect((await get('/healthz')).json()).toEqual({ status: 'ok', checks: [{ name: 'process', ok: true }] });
    expect((await get('/readyz')).statusCode).toBe(200);
    const version = (await get('/api/v1/version')).json();
    expect(version).toMatchObject({ name: 'cairn', service: 'gateway', node: process.version });
    expect(version.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('is not ready, and says why, when the shell has not been built', async () => {
    rmSync(join(root, 'shell', 'browser', 'index.html'));
    await start();
    const response = await get('/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json().checks[0].message).toContain('build the shell or fix CAIRN_WEB_ROOT');
  });

  it('lists the built-in remote in the manifest and serves its files under /remotes', async () => {
    await start();
    const manifest = await get('/mfe-manifest.json');
    expect(manifest.headers['cache-control']).toBe('no-cache');
    expect(manifest.json()).toEqual({
      remotes: [
        { name: 'mfe-logs', remoteEntry: '/remotes/mfe-logs/remoteEntry.json', exposedModule: './routes', route: 'logs', label: 'Logs', icon: 'logs' },
      ],
    });
    const entry = await get('/remotes/mfe-logs/remoteEntry.json');
    expect(entry.statusCode).toBe(200);
    expect(entry.json().name).toBe('mfe-logs');
  });

  it('serves hashed bundles as immutable and the page itself never stored (it carries a one-time nonce)', async () => {
    await start();
    expect((await get('/main-ABCD1234.js', '*/*')).headers['cache-control']).toContain('immutable');
    for (const path of ['/', '/index.html', '/workloads/pods']) {
      const page = await get(path, 'text/html');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['etag']).toBeUndefined();
    }
  });

  it('sends the Brotli or gzip copy the build wrote beside a file to a browser that accepts it, else the file', async () => {
    const script = `export const text = ${JSON.stringify('a console for Kubernetes '.repeat(400))};`;
    const shell = join(root, 'shell', 'browser');
    const remote = join(root, 'mfe-logs', 'browser');
    for (const [dir, name] of [[shell, 'chunk-COMPRESS1.js'], [remote, 'routes-COMPRESS2.js']] as const) {
      writeFileSync(join(dir, name), script);
      writeFileSync(join(dir, `${name}.br`), brotliCompressSync(script));
      writeFileSync(join(dir, `${name}.gz`), gzipSync(script));
    }
    await start();
    const fetchAs = (url: string, acceptEncoding?: string) =>
      gateway.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers: { accept: '*/*', ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } });
    for (const url of ['/chunk-COMPRESS1.js', '/remotes/mfe-logs/routes-COMPRESS2.js']) {
      const br = await fetchAs(url, 'gzip, deflate, br');
      expect(br.headers['content-encoding']).toBe('br');
      expect(String(br.headers['vary']).toLowerCase()).toContain('accept-encoding');
      expect(br.headers['content-type']).toContain('javascript');
      expect(br.headers['cache-control']).toContain('immutable');
      expect(brotliDecompressSync(br.rawPayload).toString()).toBe(script);
      expect(br.rawPayload.length).toBeLessThan(script.length / 10);
      const gz = await fetchAs(url, 'gzip');
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.rawPayload).toString()).toBe(script);
      const plain = await fetchAs(url);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body).toBe(script);
    }
    // A file without copies is sent as it is, whatever the browser accepts.
    const small = await fetchAs('/main-ABCD1234.js', 'br');
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.body).toBe('export {};');
  });

  it("answers a deep link with the shell's page, and an unknown API path with a JSON error", async () => {
    await start();
    const page = await get('/workloads/deployments', 'text/html');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Cairn</title>');
    // Kubernetes names may contain dots; a deep link to one is still a page, not a file.
    const dotted = await get('/workloads/pods/coredns-5d78c.v2', 'text/html,application/xhtml+xml');
    expect(dotted.statusCode).toBe(200);
    expect(dotted.body).toContain('<title>Cairn</title>');
    // A script or image the build does not have stays a 404: browsers ask for those without text/html.
    expect((await get('/chunk-MISSING1.js', '*/*')).statusCode).toBe(404);
    const api = await get('/api/v1/nothing', 'text/html');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'There is nothing at GET /api/v1/nothing; see /api/docs for the API.',
    });
  });

  it('publishes its OpenAPI document', async () => {
    await start();
    const document = (await get('/api/openapi.json')).json();
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/version', '/mfe-manifest.json']));
  });

  it('forwards /auth and /oidc-callback to the auth service, path and query intact', async () => {
    const seen: string[] = [];
    authService = createServer((request, response) => {
      seen.push(request.url ?? '');
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ service: 'auth-service' }));
    });
    await new Promise<void>((resolve) => authService?.listen(0, '127.0.0.1', resolve));
    await start(`http://127.0.0.1:${(authService.address() as AddressInfo).port}`);
    expect((await get('/auth/v1/version')).json()).toEqual({ service: 'auth-service' });
    expect((await get('/oidc-callback?code=abc&state=xyz')).statusCode).toBe(200);
    expect(seen).toEqual(['/auth/v1/version', '/oidc-callback?code=abc&state=xyz']);
  });

  it('says plainly that sign-in is unavailable when the auth service does not answer', async () => {
    await start('http://127.0.0.1:9');
    const response = await get('/auth/v1/version');
    expect(response.statusCode).toBe(502);
    expect(response.json().message).toContain('The sign-in service is not answering');
  });

  it('sends security headers, and a CSP on pages that allows only itself and the registered remotes', async () => {
    await start();
    const page = await get('/workloads', 'text/html');
    // The page's inline import maps run with a nonce that is new on every response, in the page and its CSP.
    const nonce = /<meta name="csp-nonce" content="([^"]+)">/.exec(page.body)?.[1] ?? '';
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
    expect(page.headers['content-security-policy']).toBe(
      `default-src 'self'; script-src 'self' 'nonce-${nonce}' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; object-src 'none'`,
    );
    const again = await get('/', 'text/html');
    expect(again.body).not.toContain(nonce);
    expect(again.headers['content-security-policy']).not.toContain(nonce);
    const api = await get('/api/v1/version');
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['x-frame-options']).toBe('DENY');
    expect(api.headers['content-security-policy']).toBeUndefined();
  });

  it('gives every response a request id, keeping the caller\u2019s', async () => {
    await start();
    const fastify = gateway.getHttpAdapter().getInstance();
    expect((await get('/api/v1/version')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const mine = await fastify.inject({ method: 'GET', url: '/api/v1/version', headers: { 'x-request-id': 'trace-42' } });
    expect(mine.headers['x-request-id']).toBe('trace-42');
  });

  it('exposes Prometheus metrics: requests by route and status, latency, open streams and watches', async () => {
    await start();
    await get('/api/v1/version');
    await get('/api/v1/nope');
    const metrics = (await get('/metrics', 'text/plain')).body;
    expect(metrics).toContain('cairn_gateway_http_requests_total{method="GET",route="/api/v1/version",status="200"} 1');
    expect(metrics).toMatch(/cairn_gateway_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(metrics).toContain('# TYPE cairn_gateway_http_request_duration_seconds histogram');
    expect(metrics).toContain('cairn_gateway_upstream_watches 0');
    expect(metrics).toContain('cairn_gateway_watch_subscriptions 0');
    expect(metrics).toContain('cairn_gateway_exec_sessions 0');
    expect(metrics).toContain('cairn_gateway_exec_sessions_paused 0');
    expect(metrics).toMatch(/cairn_gateway_http_requests_in_flight \d/);
  });
});
