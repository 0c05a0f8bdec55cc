import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DevCluster } from './cluster';
import { ensureKeycloak, keycloakCacheEntry, keycloakRealm, parseJavaMajor } from './keycloak';
import { DEV_USERS } from './users';

/**
 * What ensureKeycloak() checks before it downloads anything, and the realm's shape. That
 * Keycloak really runs, signs the dev users in and is trusted by the API server is
 * cluster.spec.ts's part (it starts one).
 */
describe('Keycloak for the dev cluster', () => {
  it('reads Java\u2019s major version the way `java -version` prints it', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment')).toBe(17);
    expect(parseJavaMajor('openjdk version "25" 2025-09-16')).toBe(25);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('command not found')).toBeUndefined();
  });

  it('refuses to start without Java, saying what to install, and leaves the cache untouched', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'keycloak-cache-'));
    try {
      await expect(ensureKeycloak(() => undefined, { ...process.env, PATH: '/nonexistent', CAIRN_KEYCLOAK_CACHE: cache })).rejects.toThrow(
        'Keycloak 24.0.5 needs Java 17 or newer on the PATH (found no java): apt-get install -y openjdk-17-jre-headless',
      );
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('waits for another process’s build (its lock) instead of building too', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'keycloak-cache-'));
    const env = { ...process.env, CAIRN_KEYCLOAK_CACHE: cache };
    try {
      // What a build in progress leaves: the lock beside the entry it will rename into place.
      const entry = keycloakCacheEntry(env);
      mkdirSync(`${entry}.lock`);
      const lines: string[] = [];
      const waiting = ensureKeycloak((line) => lines.push(line), env);
      await new Promise((r) => setTimeout(r, 3000));
      expect(lines).toEqual([expect.stringContaining('another process is building Keycloak 24.0.5')]);
      expect(readdirSync(cache).sort()).toEqual([`${basename(entry)}.lock`]);
      // The other process finishes: the waiting one takes its home without building.
      mkdirSync(join(entry, 'home'), { recursive: true });
      writeFileSync(join(entry, 'built'), '');
      rmSync(`${entry}.lock`, { recursive: true });
      expect(await waiting).toEqual({ home: join(entry, 'home'), version: '24.0.5' });
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('is refused beside the older API server, whose --oidc-* flags take one issuer, before anything starts', async () => {
    await expect(DevCluster.start({ kubernetes: 'older', keycloak: true })).rejects.toThrow('option keycloak needs the current control plane: the v1.29 API server (kubernetes: older) trusts one OpenID issuer only');
  });

  it('holds every dev user with the dev provider\u2019s email and groups, and both clients as the dev provider has them', () => {
    const realm = keycloakRealm({ users: Object.values(DEV_USERS), tokenTtlSeconds: 300 }) as {
      users: Array<{ username: string; email: string; emailVerified: boolean; groups: string[] }>;
      clients: Array<{ clientId: string; publicClient: boolean; secret?: string }>;
      accessTokenLifespan: number;
    };
    expect(realm.users.map((u) => [u.username, u.email, u.emailVerified, u.groups])).toEqual(Object.values(DEV_USERS).map((u) => [u.username, u.email, true, u.groups.map((g) => `/${g}`)]));
    expect(realm.clients.map((c) => [c.clientId, c.publicClient, c.secret])).toEqual([
      ['cairn', false, 'cairn-dev-client-secret'],
      ['kubernetes', true, undefined],
    ]);
    expect(realm.accessTokenLifespan).toBe(300);
  });
});
