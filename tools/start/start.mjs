// Starts the built console: the auth service, then the gateway (which serves the shell and
// the built-in remotes), prefixes their logs, waits until both are ready, and stops both
// when either stops or on Ctrl-C. `npm start` builds first; run this alone to skip that.
//
// With no kubeconfig configured (KUBECONFIG unset, not in a cluster) it first starts the
// development cluster (`npm run cluster`: a real control plane and a dev OpenID provider)
// and hands its kubeconfig and issuer to the services. CAIRN_DEV_CLUSTER=on|off|auto;
// CAIRN_DEV_CLUSTER_DIR moves its state (default tmp/dev-cluster).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const gatewayPort = process.env.CAIRN_PORT ?? '4466';
const authPort = process.env.CAIRN_AUTH_PORT ?? '4467';
const authUrl = process.env.CAIRN_AUTH_SERVICE_URL ?? `http://127.0.0.1:${authPort}`;

const devClusterMode = process.env.CAIRN_DEV_CLUSTER ?? 'auto';
if (!['auto', 'on', 'off'].includes(devClusterMode)) {
  console.error(`CAIRN_DEV_CLUSTER must be auto, on or off, got "${devClusterMode}".`);
  process.exit(2);
}
const useDevCluster =
  devClusterMode === 'on' || (devClusterMode === 'auto' && !process.env.KUBECONFIG && !process.env.KUBERNETES_SERVICE_HOST);
const devClusterDir = process.env.CAIRN_DEV_CLUSTER_DIR ?? join(root, 'tmp', 'dev-cluster');
const devClusterMain = 'dist/libs/kube-testenv/src/cli.js';

// Both services must share the session key; without one configured, a fresh key per run
// (sessions then end with the run).
const sessionKey = process.env.CAIRN_SESSION_KEY ?? randomBytes(36).toString('base64url');
const publicUrl = process.env.CAIRN_PUBLIC_URL ?? `http://localhost:${gatewayPort}`;

const services = [
  {
    name: 'auth-service',
    main: 'dist/apps/auth-service/main.js',
    ready: `${authUrl}/readyz`,
    env: {
      CAIRN_AUTH_PORT: authPort,
      CAIRN_SESSION_KEY: sessionKey,
      CAIRN_PUBLIC_URL: publicUrl,
      CAIRN_GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
      CAIRN_LOG_FORMAT: process.env.CAIRN_LOG_FORMAT ?? 'text',
      // Plain HTTP on localhost: the session cookie cannot be Secure there.
      ...(publicUrl.startsWith('http://localhost') || publicUrl.startsWith('http://127.0.0.1') ? { CAIRN_INSECURE_COOKIES: process.env.CAIRN_INSECURE_COOKIES ?? 'true' } : {}),
    },
  },
  {
    name: 'gateway',
    main: 'dist/apps/gateway/main.js',
    ready: `http://127.0.0.1:${gatewayPort}/readyz`,
    // People read these logs: text unless told otherwise (the services default to JSON).
    env: {
      CAIRN_PORT: gatewayPort,
      CAIRN_AUTH_SERVICE_URL: authUrl,
      CAIRN_SESSION_KEY: sessionKey,
      CAIRN_LOG_FORMAT: process.env.CAIRN_LOG_FORMAT ?? 'text',
      // The same public URL as the auth service's: both then agree on the session cookie's name.
      CAIRN_PUBLIC_URL: publicUrl,
      ...(publicUrl.startsWith('http://localhost') || publicUrl.startsWith('http://127.0.0.1') ? { CAIRN_INSECURE_COOKIES: process.env.CAIRN_INSECURE_COOKIES ?? 'true' } : {}),
      // The development cluster listens on loopback, which user-added clusters may reach only
      // when listed: opened here so its kubeconfig can be pasted as a user-added cluster.
      ...(useDevCluster ? { CAIRN_USER_CLUSTER_ALLOW: process.env.CAIRN_USER_CLUSTER_ALLOW ?? '0.0.0.0/0,::/0,127.0.0.1/32' } : {}),
    },
  },
];

for (const service of [...services, ...(useDevCluster ? [{ main: devClusterMain }] : [])]) {
  if (!existsSync(join(root, service.main))) {
    console.error(`${service.main} is missing: run "npm start" (which builds) or "npm run build" first.`);
    process.exit(1);
  }
}

const children = [];
let stopping = false;

/** Stops every service, waits until they have exited (SIGKILL after 30 s: the dev cluster stops its components one by one), then exits with `code`. */
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGTERM');
  const force = setTimeout(() => running.forEach((child) => child.kill('SIGKILL')), 30_000);
  Promise.all(running.map((child) => new Promise((done) => child.once('exit', done)))).then(() => {
    clearTimeout(force);
    process.exit(code);
  });
}

function prefixLines(stream, name, out) {
  let rest = '';
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) out.write(`[${name}] ${line}\n`);
  });
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

/** Starts `npm run cluster`'s CLI and resolves with its cluster.json once it is ready. */
function startDevCluster() {
  console.log('[start] no kubeconfig configured: starting the development cluster (CAIRN_DEV_CLUSTER=off skips it)');
  const child = spawn(process.execPath, [devClusterMain, '--dir', devClusterDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  prefixLines(child.stderr, 'cluster', process.stderr);
  return new Promise((resolve) => {
    let rest = '';
    child.stdout.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        process.stdout.write(`[cluster] ${line}\n`);
        if (line === 'kube-testenv: ready') resolve(JSON.parse(readFileSync(join(devClusterDir, 'cluster.json'), 'utf8')));
      }
    });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`[start] the development cluster stopped (${signal ?? `exit code ${code}`}); stopping the console.`);
        stopAll(code || 1);
      }
    });
  });
}

if (useDevCluster) {
  const cluster = await startDevCluster();
  const oidc = {
    OIDC_ISSUER_URL: cluster.oidc.issuer,
    OIDC_CLIENT_ID: cluster.oidc.clients.cairn.clientId,
    OIDC_CLIENT_SECRET: cluster.oidc.clients.cairn.clientSecret,
    OIDC_SCOPES: 'openid profile email groups offline_access',
    OIDC_PROVIDER_NAME: 'Cairn dev',
    CAIRN_CA_BUNDLE: cluster.caFile,
  };
  Object.assign(services[0].env, oidc);
  Object.assign(services[1].env, { KUBECONFIG: cluster.kubeconfig, CAIRN_CA_BUNDLE: cluster.caFile });
  // Tenants (tina) find their namespaces without typing them: discovery by label, with the
  // console's own ServiceAccount (the development cluster seeds it and renews its token).
  const gatewaySa = join(devClusterDir, 'gateway-service-account');
  if (existsSync(join(gatewaySa, 'token'))) {
    Object.assign(services[1].env, {
      CAIRN_SERVICE_ACCOUNT_DIR: process.env.CAIRN_SERVICE_ACCOUNT_DIR ?? gatewaySa,
      CAIRN_NAMESPACE_DISCOVERY: process.env.CAIRN_NAMESPACE_DISCOVERY ?? 'labelled',
      CAIRN_NAMESPACE_DISCOVERY_CLUSTERS: process.env.CAIRN_NAMESPACE_DISCOVERY_CLUSTERS ?? 'cairn-dev',
    });
  }
  // The same API server once more, reached by impersonation (cairn-dev-impersonated).
  if (cluster.impersonation) {
    Object.assign(services[1].env, { KUBECONFIG: `${cluster.kubeconfig}${delimiter}${cluster.impersonation.kubeconfig}`, CAIRN_IMPERSONATE_CLUSTERS: cluster.impersonation.context });
  }
}

for (const service of services) {
  if (stopping) break;
  const child = spawn(process.execPath, [service.main], {
    cwd: root,
    env: { ...process.env, ...service.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(child.stdout, service.name, process.stdout);
  prefixLines(child.stderr, service.name, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[start] ${service.name} stopped (${signal ?? `exit code ${code}`}); stopping the console.`);
      stopAll(code || 1);
    }
  });
  children.push(child);
}

async function waitReady(url, deadline) {
  while (Date.now() < deadline && !stopping) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

const deadline = Date.now() + 30_000;
const ready = await Promise.all(services.map((service) => waitReady(service.ready, deadline)));
if (ready.every(Boolean)) {
  console.log(`[start] Cairn is ready: http://localhost:${gatewayPort}  (Ctrl-C stops it)`);
} else if (!stopping) {
  const late = services.filter((_, index) => !ready[index]).map((service) => `${service.name} (${service.ready})`);
  console.error(`[start] not ready after 30 s: ${late.join(', ')}; see the log above.`);
  stopAll(1);
}
