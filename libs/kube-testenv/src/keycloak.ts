import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes';
import { DEV_OIDC_CLIENTS, DevUser } from './users';

/**
 * Keycloak, a second and independent OpenID provider beside the dev provider (the provider of
 * seed 002: a confidential client for the console and a public `kubernetes` client, both
 * audiences trusted by the API server's AuthenticationConfiguration).
 *
 * The server distribution `org.keycloak:keycloak-quarkus-dist` is fetched with Maven (the
 * machine's own `mvn` and its configured repositories) into `~/.cache/cairn/keycloak/`,
 * unpacked and built once (`kc.sh build`); each cluster then runs its own hard-linked copy of
 * that home, because Keycloak imports realms only from `<home>/data/import` and keeps its
 * database (H2, created once in the cache and copied) and temporary files under `<home>/data`.
 *
 * Version 24.0.5: the newest Keycloak that runs on Java 17, which is the Java Debian 12 ships
 * (Keycloak 25 and 26 need Java 21). Its login form, token, refresh, revocation and
 * RP-initiated logout endpoints are the ones the console meets in production.
 */

export const KEYCLOAK_VERSION = '24.0.5';

/** The realm the tests use; the issuer is `https://127.0.0.1:<port>/realms/cairn`. */
export const KEYCLOAK_REALM = 'cairn';

/**
 * Build-time options (`kc.sh build`): H2 in a file under `<home>/data/h2` (created with its
 * schema and master realm once, in the cache; each cluster starts from a copy of it), a local
 * cache (no cluster discovery), no health or metrics endpoints.
 */
const BUILD_OPTIONS = ['--db=dev-file', '--cache=local', '--health-enabled=false', '--metrics-enabled=false'];

/**
 * Keycloak's heap: enough for one realm and a few dozen sessions, small enough for a two-core
 * machine running a control plane and a browser beside it.
 */
const HEAP = '-Xms64m -Xmx384m';

/** The smallest Java that runs KEYCLOAK_VERSION. */
const JAVA_MAJOR = 17;

export interface KeycloakHome {
  /** The built distribution in the cache; never run in place. */
  home: string;
  version: string;
}

/** `~/.cache/cairn/keycloak`, or `CAIRN_KEYCLOAK_CACHE`. */
export function keycloakCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['CAIRN_KEYCLOAK_CACHE'] ?? join(homedir(), '.cache', 'cairn', 'keycloak');
}

/** The cache entry of this version and build: `<cache>/keycloak-<version>-<hash of the build options>`. */
export function keycloakCacheEntry(env: NodeJS.ProcessEnv = process.env): string {
  const key = createHash('sha256').update([KEYCLOAK_VERSION, ...BUILD_OPTIONS].join('\n')).digest('hex').slice(0, 16);
  return join(keycloakCacheDir(env), `keycloak-${KEYCLOAK_VERSION}-${key}`);
}

/** Java's major version (`java -version`), or undefined when there is no `java`. */
function javaMajor(env: NodeJS.ProcessEnv): number | undefined {
  const answer = spawnSync('java', ['-version'], { encoding: 'utf8', env });
  return answer.error ? undefined : parseJavaMajor(`${answer.stdout}${answer.stderr}`);
}

/** `openjdk version "17.0.15"` → 17; `"1.8.0_392"` → 8. */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 ? Number(m[2]) : first;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-20).join('\n');
      reject(new Error(`${what} failed (${command} ${args.join(' ')}):\n${output}`));
    });
  });
}

/**
 * The built Keycloak distribution, from the cache (instant) or fetched, unpacked, built and
 * started once to create its database (about 170 MiB and 3-4 minutes on two busy cores, once
 * per machine). The cache entry is
 * `keycloak-<version>-<hash of the build options>/home`; it is built in a temporary directory
 * beside it and renamed into place, so a crashed build leaves nothing half-made. A directory
 * lock (`<entry>.lock`) makes other test processes wait for the one building rather than
 * build too; a lock older than 15 minutes (a crashed build) is taken over.
 *
 * Rejects, saying what to install, when `java` is missing or older than 17 or `mvn` is
 * missing; with the tool's last lines when the download, the unpacking, the build or the
 * first start fails.
 */
export async function ensureKeycloak(log: (line: string) => void = () => undefined, env: NodeJS.ProcessEnv = process.env): Promise<KeycloakHome> {
  const cache = keycloakCacheDir(env);
  const entry = keycloakCacheEntry(env);
  const home = join(entry, 'home');
  if (existsSync(join(entry, 'built'))) return { home, version: KEYCLOAK_VERSION };

  const java = javaMajor(env);
  if (java === undefined || java < JAVA_MAJOR) {
    throw new Error(`Keycloak ${KEYCLOAK_VERSION} needs Java ${JAVA_MAJOR} or newer on the PATH (found ${java === undefined ? 'no java' : `Java ${java}`}): apt-get install -y openjdk-17-jre-headless`);
  }
  try {
    execFileSync('mvn', ['--version'], { stdio: 'ignore', env });
  } catch {
    throw new Error(`fetching Keycloak ${KEYCLOAK_VERSION} needs Maven (mvn) on the PATH: apt-get install -y maven`);
  }

  mkdirSync(cache, { recursive: true });
  // One build per machine: test processes started together (nx runs projects in parallel)
  // wait for the first one's build instead of each making its own.
  const lock = `${entry}.lock`;
  if (!(await takeLock(lock, () => existsSync(join(entry, 'built')), log))) return { home, version: KEYCLOAK_VERSION };
  const work = mkdtempSync(join(cache, `.building-${KEYCLOAK_VERSION}-`));
  try {
    log(`kube-testenv: fetching Keycloak ${KEYCLOAK_VERSION} (keycloak-quarkus-dist, about 170 MiB) with Maven`);
    const download = join(work, 'download');
    await run('mvn', [
      '-q', '-B',
      `-Dmaven.repo.local=${join(cache, 'maven-repository')}`,
      'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy',
      `-Dartifact=org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`,
      `-DoutputDirectory=${download}`,
    ], env, `fetching Keycloak ${KEYCLOAK_VERSION}`);
    // The artifact is kept in the download directory only; the private repository keeps Maven's plugins.
    rmSync(join(cache, 'maven-repository', 'org', 'keycloak'), { recursive: true, force: true });
    const zip = join(download, `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip`);
    if (!existsSync(zip)) throw new Error(`Maven put no ${zip} (found: ${readdirSync(download).join(', ') || 'nothing'})`);
    log(`kube-testenv: unpacking and building Keycloak ${KEYCLOAK_VERSION} (kc.sh build ${BUILD_OPTIONS.join(' ')})`);
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    await run('unzip', ['-q', zip, '-d', unpacked], env, `unpacking ${zip}`);
    rmSync(download, { recursive: true, force: true });
    const top = readdirSync(unpacked);
    if (top.length !== 1) throw new Error(`the Keycloak archive holds ${top.join(', ')}, not one directory`);
    renameSync(join(unpacked, top[0] as string), join(work, 'home'));
    await run(join(work, 'home', 'bin', 'kc.sh'), ['build', ...BUILD_OPTIONS], { ...env, JAVA_OPTS_KC_HEAP: HEAP }, `building Keycloak ${KEYCLOAK_VERSION}`);
    rmSync(unpacked, { recursive: true, force: true });
    log(`kube-testenv: creating Keycloak's database schema and master realm once (a first start)`);
    await initializeDatabase(join(work, 'home'), env);
    writeFileSync(join(work, 'built'), `${KEYCLOAK_VERSION}\n${BUILD_OPTIONS.join(' ')}\n`);
    try {
      renameSync(work, entry);
    } catch (err) {
      // Another process finished first (one that took a stale lock): its home is as good as ours.
      if (!existsSync(join(entry, 'built'))) throw err;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(lock, { recursive: true, force: true });
  }
  return { home, version: KEYCLOAK_VERSION };
}

/** A lock older than this is a crashed build's: a build takes 3-4 minutes on two busy cores. */
const STALE_LOCK_MS = 15 * 60_000;

/**
 * Takes the directory lock `lock` (mkdir is atomic) and resolves true; or, while another
 * process holds it, waits, and resolves false as soon as `done()` says that process finished
 * the work. A lock older than STALE_LOCK_MS is removed and taken.
 */
async function takeLock(lock: string, done: () => boolean, log: (line: string) => void): Promise<boolean> {
  let told = false;
  for (;;) {
    if (done()) return false;
    try {
      mkdirSync(lock);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > STALE_LOCK_MS) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!told) log(`kube-testenv: another process is building Keycloak ${KEYCLOAK_VERSION} (${lock}); waiting for it`);
    told = true;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/**
 * Starts the freshly built home once on a free loopback port (plain HTTP, nothing imported)
 * so Keycloak creates its database schema (about 120 Liquibase change sets) and the master
 * realm in `<home>/data/h2`, then stops it: each cluster's Keycloak starts from a copy of that
 * database instead of doing it again (about 20 s of every start). Rejects with the end of
 * Keycloak's output when it exits or does not answer within five minutes.
 */
async function initializeDatabase(home: string, env: NodeJS.ProcessEnv): Promise<void> {
  const port = await freePort();
  let output = '';
  const child = spawn(join(home, 'bin', 'kc.sh'), ['start', '--optimized', '--http-enabled=true', '--http-host=127.0.0.1', `--http-port=${port}`, '--hostname-strict=false'], {
    env: { ...env, JAVA_OPTS_KC_HEAP: HEAP },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout?.on('data', (chunk: Buffer) => (output = `${output}${chunk.toString('utf8')}`.slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = `${output}${chunk.toString('utf8')}`.slice(-4000)));
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Keycloak's first start exited (code ${child.exitCode}):\n${output}`);
      if (Date.now() > deadline) throw new Error(`Keycloak's first start did not answer within 300 s:\n${output}`);
      const answer = await fetch(`http://127.0.0.1:${port}/realms/master`).catch(() => undefined);
      if (answer?.status === 200) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    if (child.exitCode === null && child.pid !== undefined) {
      const kill = (signal: NodeJS.Signals) => {
        try {
          process.kill(-(child.pid as number), signal);
        } catch {
          // Already gone.
        }
      };
      kill('SIGTERM');
      const killer = setTimeout(() => kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    }
  }
  if (!existsSync(join(home, 'data', 'h2'))) throw new Error(`Keycloak's first start left no database in ${join(home, 'data', 'h2')}`);
  rmSync(join(home, 'data', 'tmp'), { recursive: true, force: true });
}

/**
 * A private copy of the built home in `target` for one cluster: hard links (instant, no
 * space), except `data/`, which is this cluster's own: a real copy of the initialized database
 * (H2 writes its file in place), the realm to import, Keycloak's temporary files. Keycloak
 * writes new files rather than changing the others, so the cached home is left as it was.
 */
export function copyKeycloakHome(home: string, target: string): void {
  mkdirSync(join(target, 'data', 'import'), { recursive: true });
  for (const name of readdirSync(home)) {
    if (name === 'data') continue;
    execFileSync('cp', ['-al', join(home, name), join(target, name)]);
  }
  execFileSync('cp', ['-r', join(home, 'data', 'h2'), join(target, 'data', 'h2')]);
}

export interface KeycloakRealmOptions {
  users: DevUser[];
  /** Lifetime of ID and access tokens, seconds. */
  tokenTtlSeconds: number;
}

/** Redirect URIs the clients accept: any port and path on loopback (Keycloak's trailing `*` is a prefix match). */
const LOOPBACK_REDIRECTS = ['http://127.0.0.1:*', 'http://localhost:*', 'https://127.0.0.1:*', 'https://localhost:*'];

const claim = (extra: Record<string, string>) => ({ 'id.token.claim': 'true', 'access.token.claim': 'true', 'userinfo.token.claim': 'true', ...extra });

/**
 * The realm `cairn` as Keycloak's import format (`RealmRepresentation`): the dev users with
 * the same usernames, passwords, emails (verified) and groups as the dev provider's, so the
 * API server maps them to the same usernames and groups and the seed's RBAC applies; the
 * confidential client `cairn` (secret as the dev provider's) and the public client
 * `kubernetes`, both requiring PKCE S256 and accepting any loopback redirect URI; client
 * scopes `profile`, `email`, `groups` (claim `groups`: group names, no path) and
 * `offline_access` (refresh tokens that outlive the browser session), declared here rather
 * than left to Keycloak's defaults. Access tokens carry the client's id as audience (an
 * audience mapper on access tokens only), so the API server accepts them too
 * (`OIDC_USE_ACCESS_TOKEN`). Passwords are hashed with 1 000 PBKDF2 iterations: a test
 * realm, imported and logged into quickly.
 */
export function keycloakRealm(options: KeycloakRealmOptions): Record<string, unknown> {
  const groups = [...new Set(options.users.flatMap((u) => u.groups))].sort();
  const client = (clientId: string, secret: string | undefined) => ({
    clientId,
    name: clientId,
    enabled: true,
    protocol: 'openid-connect',
    publicClient: secret === undefined,
    ...(secret === undefined ? {} : { clientAuthenticatorType: 'client-secret', secret }),
    standardFlowEnabled: true,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
    consentRequired: false,
    fullScopeAllowed: true,
    redirectUris: LOOPBACK_REDIRECTS,
    attributes: { 'pkce.code.challenge.method': 'S256', 'post.logout.redirect.uris': '+' },
    defaultClientScopes: ['profile', 'email', 'groups'],
    optionalClientScopes: ['offline_access'],
    protocolMappers: [
      {
        name: `audience ${clientId}`,
        protocol: 'openid-connect',
        protocolMapper: 'oidc-audience-mapper',
        config: { 'included.client.audience': clientId, 'access.token.claim': 'true', 'id.token.claim': 'false' },
      },
    ],
  });
  return {
    realm: KEYCLOAK_REALM,
    displayName: 'Cairn dev (Keycloak)',
    enabled: true,
    sslRequired: 'external',
    registrationAllowed: false,
    loginWithEmailAllowed: true,
    bruteForceProtected: false,
    passwordPolicy: 'hashAlgorithm(pbkdf2-sha256) and hashIterations(1000)',
    accessTokenLifespan: options.tokenTtlSeconds,
    ssoSessionIdleTimeout: 7 * 24 * 3600,
    ssoSessionMaxLifespan: 7 * 24 * 3600,
    offlineSessionIdleTimeout: 7 * 24 * 3600,
    roles: { realm: [{ name: 'offline_access', description: 'may ask for refresh tokens that outlive the browser session' }] },
    groups: groups.map((name) => ({ name, path: `/${name}` })),
    clientScopes: [
      {
        name: 'profile',
        protocol: 'openid-connect',
        attributes: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'false' },
        protocolMappers: [
          { name: 'full name', protocol: 'openid-connect', protocolMapper: 'oidc-full-name-mapper', config: claim({}) },
          { name: 'username', protocol: 'openid-connect', protocolMapper: 'oidc-usermodel-property-mapper', config: claim({ 'user.attribute': 'username', 'claim.name': 'preferred_username', 'jsonType.label': 'String' }) },
        ],
      },
      {
        name: 'email',
        protocol: 'openid-connect',
        attributes: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'false' },
        protocolMappers: [
          { name: 'email', protocol: 'openid-connect', protocolMapper: 'oidc-usermodel-property-mapper', config: claim({ 'user.attribute': 'email', 'claim.name': 'email', 'jsonType.label': 'String' }) },
          { name: 'email verified', protocol: 'openid-connect', protocolMapper: 'oidc-usermodel-property-mapper', config: claim({ 'user.attribute': 'emailVerified', 'claim.name': 'email_verified', 'jsonType.label': 'boolean' }) },
        ],
      },
      {
        name: 'groups',
        protocol: 'openid-connect',
        attributes: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'false' },
        protocolMappers: [{ name: 'groups', protocol: 'openid-connect', protocolMapper: 'oidc-group-membership-mapper', config: claim({ 'claim.name': 'groups', 'full.path': 'false' }) }],
      },
      { name: 'offline_access', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'false' } },
    ],
    scopeMappings: [{ clientScope: 'offline_access', roles: ['offline_access'] }],
    defaultDefaultClientScopes: ['profile', 'email', 'groups'],
    defaultOptionalClientScopes: ['offline_access'],
    clients: [client(DEV_OIDC_CLIENTS.cairn.clientId, DEV_OIDC_CLIENTS.cairn.clientSecret), client(DEV_OIDC_CLIENTS.kubernetes.clientId, undefined)],
    users: options.users.map((u) => {
      const [firstName = u.name, ...rest] = u.name.split(' ');
      return {
        username: u.username,
        email: u.email,
        emailVerified: true,
        firstName,
        lastName: rest.join(' ') || firstName,
        enabled: true,
        credentials: [{ type: 'password', value: u.password, temporary: false }],
        groups: u.groups.map((g) => `/${g}`),
        realmRoles: ['offline_access'],
      };
    }),
  };
}

export interface KeycloakLaunch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  issuer: string;
}

/**
 * The command line of a Keycloak on `https://127.0.0.1:<port>` serving `home` (a copy made
 * by copyKeycloakHome, the realm already written to `data/import`), TLS with the given PEM
 * certificate and key, the frontend URL fixed so the issuer is
 * `https://127.0.0.1:<port>/realms/cairn` whatever the request's Host.
 */
export function keycloakLaunch(home: string, port: number, tls: { cert: string; key: string }, env: NodeJS.ProcessEnv = process.env): KeycloakLaunch {
  const origin = `https://127.0.0.1:${port}`;
  return {
    command: join(home, 'bin', 'kc.sh'),
    args: [
      'start',
      '--optimized',
      '--import-realm',
      '--http-enabled=false',
      '--http-host=127.0.0.1',
      `--https-port=${port}`,
      `--https-certificate-file=${tls.cert}`,
      `--https-certificate-key-file=${tls.key}`,
      `--hostname-url=${origin}`,
      '--log-level=warn,org.keycloak.services:info',
    ],
    // The client compiler only (kc.sh picks the collector): a faster start on few cores, for a
    // server that lives as long as a test file.
    env: { ...env, JAVA_OPTS_KC_HEAP: HEAP, JAVA_OPTS_APPEND: [env['JAVA_OPTS_APPEND'], '-XX:TieredStopAtLevel=1'].filter(Boolean).join(' ') },
    issuer: `${origin}/realms/${KEYCLOAK_REALM}`,
  };
}
