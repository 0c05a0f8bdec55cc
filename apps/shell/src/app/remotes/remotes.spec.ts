import { webcrypto } from 'node:crypto';
import { fetchMfeManifest, incompatibleShared, matchesIntegrity } from './remotes';

const url = 'http://localhost:4466/mfe-manifest.json';
// jsdom has no fetch Response; this carries the three members fetchMfeManifest reads.
const respond = (body: string, status = 200) => (() =>
  Promise.resolve({ ok: status < 400, status, json: () => Promise.resolve().then(() => JSON.parse(body)) })) as unknown as typeof fetch;

describe('fetchMfeManifest', () => {
  it('returns the checked remotes', async () => {
    const remote = { name: 'mfe-logs', remoteEntry: '/remotes/mfe-logs/remoteEntry.json', exposedModule: './routes', route: 'logs', label: 'Logs' };
    expect(await fetchMfeManifest(url, respond(JSON.stringify({ remotes: [remote] })))).toEqual({ remotes: [remote], problems: [] });
  });

  it.each([
    ['the gateway is down', () => Promise.reject(new TypeError('Failed to fetch')), 'could not be fetched (Failed to fetch); is the gateway running?'],
    ['the gateway answers an error', respond('{}', 503), 'answered HTTP 503'],
    ['the answer is not JSON', respond('<html>'), 'is not JSON'],
  ])('never throws when %s, and says why', async (_, fetchFn, message) => {
    expect(await fetchMfeManifest(url, fetchFn as unknown as typeof fetch)).toEqual({
      remotes: [],
      problems: [{ source: '/mfe-manifest.json', message }],
    });
  });
});

describe('incompatibleShared', () => {
  const shell = [
    { packageName: '@angular/core', version: '22.1.8', singleton: true },
    { packageName: '@angular/router', version: '22.1.8', singleton: true },
    { packageName: 'rxjs', version: '7.8.2', singleton: true },
  ];

  it('accepts a remote built against the same majors, even other minors', () => {
    expect(incompatibleShared(shell, [{ packageName: '@angular/core', requiredVersion: '22.0.3' }, { packageName: 'rxjs', requiredVersion: '7.5.0' }])).toEqual([]);
  });

  it('names each singleton whose major differs', () => {
    expect(incompatibleShared(shell, [{ packageName: '@angular/core', requiredVersion: '21.2.0' }, { packageName: '@angular/router', requiredVersion: '21.2.0' }, { packageName: 'left-pad', requiredVersion: '1.0.0' }])).toEqual([
      '@angular/core 21.2.0 (this console provides 22.1.8)',
      '@angular/router 21.2.0 (this console provides 22.1.8)',
    ]);
  });
});

describe('matchesIntegrity', () => {
  it('accepts the remote entry whose hash the console gives, and refuses any other', async () => {
    // jsdom has no crypto.subtle; the browser's and Node's are the same Web Crypto.
    const subtle = webcrypto.subtle as unknown as SubtleCrypto;
    const bytes = new Uint8Array(Buffer.from('{"name":"team-costs"}'));
    // sha256 of those bytes, as `openssl dgst -sha256 -binary | base64` prints it.
    const good = 'sha256-YzOYSH6r7AuMR+7RSKxd3RkCfUTQTIwXZ1GnU1Lh2UM=';
    expect(await matchesIntegrity(bytes as unknown as ArrayBuffer, good, subtle)).toBe(true);
    expect(await matchesIntegrity(new Uint8Array(Buffer.from('{"name":"evil"}')) as unknown as ArrayBuffer, good, subtle)).toBe(false);
    expect(await matchesIntegrity(bytes as unknown as ArrayBuffer, 'md5-abc', subtle)).toBe(false);
  });
});
