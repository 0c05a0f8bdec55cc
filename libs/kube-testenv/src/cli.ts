import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './binaries';
import { DevCluster } from './cluster';
import { DEV_DISCOVERY_LABEL, DEV_GATEWAY_SERVICE_ACCOUNT, gatewayServiceAccountDir } from './gateway-service-account';

/**
 * `npm run cluster`: starts the development cluster in the foreground, prints how to use
 * it, and stops everything on Ctrl-C. Also used by `npm start` when no kubeconfig is
 * configured; it then reads <dir>/cluster.json.
 */

const usage = `Usage: npm run cluster -- [--dir <dir>] [--nodes <n>] [--pods-per-node <n>] [--token-ttl <seconds>] [--no-seed] [--older] [--no-metrics]

  --dir            where certificates, data, logs and cluster.json go (default: tmp/dev-cluster;
                   its previous content is removed)
  --nodes          number of kwok nodes (default 2)
  --pods-per-node  pod capacity of each node (default 110)
  --token-ttl      lifetime of the dev OpenID provider's ID and access tokens, seconds (default 300)
  --no-seed        no namespaces, users' RBAC, workloads or logs; just the control plane
  --older          the older kube-apiserver (v1.29, no aggregated discovery v2) with no controller
                   manager, scheduler or kwok: objects are stored and served, nothing runs them
  --no-metrics     no metrics-server (metrics.k8s.io is then not served; always so with --older)`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number of at least 1, got "${value}".\n\n${usage}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      options: {
        dir: { type: 'string' },
        nodes: { type: 'string' },
        'pods-per-node': { type: 'string' },
        'token-ttl': { type: 'string' },
        'no-seed': { type: 'boolean' },
        older: { type: 'boolean' },
        'no-metrics': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (values['help']) {
    console.log(usage);
    return;
  }
  const dir = typeof values['dir'] === 'string' ? values['dir'] : join(repoRoot(), 'tmp', 'dev-cluster');
  rmSync(dir, { recursive: true, force: true });

  const cluster = await DevCluster.start({
    dir,
    nodes: positiveInt('nodes', values['nodes'] as string | undefined, 2),
    podsPerNode: positiveInt('pods-per-node', values['pods-per-node'] as string | undefined, 110),
    tokenTtlSeconds: positiveInt('token-ttl', values['token-ttl'] as string | undefined, 300),
    ...(values['older'] ? { kubernetes: 'older' as const } : {}),
    seed: !values['no-seed'],
    metrics: !values['no-metrics'] && !values['older'],
    log: (line) => console.log(line),
  });

  // The console's own ServiceAccount (seeded: it may list namespaces), for namespace discovery
  // by label (`npm start` turns it on): its token is written again every 30 minutes, before it expires.
  const gatewaySa = values['no-seed'] ? undefined : join(dir, 'gateway-service-account');
  const refreshToken = () => (gatewaySa ? gatewayServiceAccountDir(cluster, dir, gatewaySa).catch((err: Error) => console.error(`kube-testenv: the gateway's ServiceAccount token could not be renewed: ${err.message}`)) : undefined);
  await refreshToken();
  const refresher = setInterval(() => void refreshToken(), 30 * 60_000);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    clearInterval(refresher);
    console.log('\nkube-testenv: stopping ...');
    void cluster.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const { info } = cluster;
  const users = Object.values(info.oidc.users)
    .map((u) => `    ${u.username.padEnd(8)} ${u.password.padEnd(22)} ${u.email.padEnd(20)} ${u.access}`)
    .join('\n');
  console.log(`
The development cluster is up. Everything runs on 127.0.0.1 and stops with Ctrl-C.

  API server     ${info.server}
  kubeconfig     export KUBECONFIG=${info.kubeconfig}
                 contexts: cairn-dev (cluster admin), cairn-dev-deployer (ServiceAccount token)${info.impersonation ? `
  impersonated   ${info.impersonation.kubeconfig}
                 context ${info.impersonation.context}: the same API server by impersonation (a console's CAIRN_IMPERSONATE_CLUSTERS)` : ''}
  audit log      ${info.auditLog}
  kubectl        ${join(info.binDir, 'kubectl')} get pods -A
  CA             ${info.caFile}

  OpenID issuer  ${info.oidc.issuer}
  clients        cairn (secret ${info.oidc.clients.cairn.clientSecret}), kubernetes (public)
  users          (sign in with username and password)
${users}

  Bearer token   ${info.serviceAccount.namespace}/${info.serviceAccount.name} (${info.serviceAccount.access}): ${info.serviceAccount.tokenFile}${gatewaySa ? `
  Console SA     ${DEV_GATEWAY_SERVICE_ACCOUNT.namespace}/${DEV_GATEWAY_SERVICE_ACCOUNT.name} (may list namespaces; namespaces labelled ${DEV_DISCOVERY_LABEL.key}=${DEV_DISCOVERY_LABEL.value} are discovery's candidates): CAIRN_SERVICE_ACCOUNT_DIR=${gatewaySa}` : ''}
  Component logs ${info.logsDir}
  State          ${join(info.dir, 'cluster.json')}
`);
  console.log('kube-testenv: ready');
}

main().catch((err: Error) => {
  console.error(`kube-testenv: ${err.message}`);
  process.exit(1);
});
