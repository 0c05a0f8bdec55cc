import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { ensureBinaries, KubeBinaries, KubeBinarySet, repoRoot } from './binaries';
import { KubeApi, KubeApiError, KubeObject } from './kube-api';
import { clusterAttach, clusterExec, crashLoopStage, ephemeralContainersStage, startLogTicker, writeLogs } from './kwok-config';
import { copyKeycloakHome, ensureKeycloak, KEYCLOAK_REALM, KEYCLOAK_VERSION, keycloakLaunch, keycloakRealm } from './keycloak';
import { METRICS_SERVER_USER, metricsServerFlags, metricsServerObjects, resourceMetricsConfig, resourceUsageConfig } from './metrics-server';
import type { DevOidcProviderConfig } from './oidc/config';
import { passwordLogin } from './oidc/password-login';
import { createCertificateAuthority, createSigningKey, issueCertificate, PemPair } from './pki';
import { freePort, ManagedProcess, ProcessGroup, tail } from './processes';
import { seedOddObjects } from './odd-objects';
import { seedJobStates } from './job-states';
import { seedPodStates } from './pod-states';
import { seedHelmRelease } from './helm-fixture';
import { CRASH_LOOP_LABEL, SEED_NAMESPACES, seedNamespaces, seedNodes, seedRbac, seedWorkloads } from './seed';
import { DEV_IMPERSONATOR, DEV_OIDC_CLIENTS, DEV_SERVICE_ACCOUNT, DEV_USERS, DevUser } from './users';

/**
 * A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver (TLS, RBAC,
 * service-account keys, OIDC through an AuthenticationConfiguration), the controller
 * manager, the scheduler and kwok with fake nodes, plus the dev OpenID provider. Every
 * port is free-picked; everything stops with `stop()`, and a reaper stops it anyway when
 * the process that started it dies.
 */

export interface DevClusterOptions {
  /** Directory for certificates, data and logs. Default: a new temp dir, removed on stop. */
  dir?: string;
  /** Number of kwok nodes (default 2). */
  nodes?: number;
  /** Pod capacity of each node (default 110). */
  podsPerNode?: number;
  /** Create the namespaces, RBAC, workloads and logs of seed.ts (default true). */
  seed?: boolean;
  /** Lifetime of the dev provider's ID and access tokens (default 300 s). */
  tokenTtlSeconds?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /**
   * `older`: the older kube-apiserver (v1.29, `tools/kube-testenv/build.sh older`; it serves
   * aggregated discovery only as v2beta1, and OIDC through the `--oidc-*` flags) with the
   * current etcd, and no controller manager, scheduler or kwok (components newer than the API
   * server are outside Kubernetes' version skew policy): objects are stored, validated,
   * authorized and served, nothing reconciles them. Its seed is the namespaces with their
   * default ServiceAccounts, RBAC, the workloads (without pods), the frozen pods and Jobs and
   * the custom resources. Default `current`: the full pinned control plane.
   */
  kubernetes?: KubeBinarySet;
  /**
   * Serve `metrics.k8s.io`: metrics-server (`tools/kube-testenv/build.sh metrics`) behind the
   * API server's aggregation layer, scraping kwok's emulated kubelet `/metrics/resource` (see
   * `src/metrics-server.ts`). Adds a few seconds to the start (metrics-server and its APIService
   * becoming Available); the first numbers come one to two scrape intervals (10 s) later
   * (`cluster.waitForMetrics()`). Default false; `npm run cluster` turns it on. Not with `older`.
   */
  metrics?: boolean;
  /**
   * Also run Keycloak (`src/keycloak.ts`, version KEYCLOAK_VERSION) as a second OpenID
   * provider: realm `cairn` with the dev users (same passwords, emails and groups), the
   * confidential client `cairn` and the public client `kubernetes`; the API server trusts its
   * issuer beside the dev provider's, with the same claim mappings, so the seed's RBAC applies
   * to its users too. Fetched and built into `~/.cache/cairn/keycloak/` the first time (Java 17,
   * Maven and unzip needed; 3-4 minutes once per machine). It starts beside the control plane
   * (25-45 s on two busy cores); the cluster is ready once the API server accepts its ID
   * tokens, about 40 s later than without it under load. Start it once per test file. Default
   * false. Not with `older` (the v1.29 API server takes one issuer only).
   */
  keycloak?: boolean;
}

/** The OpenID providers a cluster can run: the dev provider always, Keycloak with option `keycloak`. */
export type DevOidcProviderName = 'dev' | 'keycloak';

/** Everything a test, `npm start` or a person needs to use the cluster; also written to cluster.json. */
export interface DevClusterInfo {
  dir: string;
  /** Admin kubeconfig with every credential inline (context cairn-dev; cairn-dev-deployer uses the ServiceAccount token). */
  kubeconfig: string;
  server: string;
  /** etcd's client URL (plain HTTP on 127.0.0.1). */
  etcd: string;
  /** The cluster CA (PEM); it also signed the dev OpenID provider's certificate. */
  caFile: string;
  ca: string;
  admin: PemPair;
  oidc: {
    issuer: string;
    caFile: string;
    clients: typeof DEV_OIDC_CLIENTS;
    users: Record<string, DevUser>;
  };
  /**
   * The second provider, when started with `keycloak`: its issuer
   * (`https://127.0.0.1:<port>/realms/cairn`), the CA of its certificate (the cluster CA), the
   * same clients and users as `oidc`, its version and admin-less home (`<dir>/keycloak`).
   */
  keycloak?: {
    issuer: string;
    caFile: string;
    clients: typeof DEV_OIDC_CLIENTS;
    users: Record<string, DevUser>;
    version: string;
    realm: string;
    home: string;
  };
  serviceAccount: { namespace: string; name: string; access: string; token: string; tokenFile: string };
  /**
   * The same API server reached by impersonation: a kubeconfig whose one context
   * (`cairn-dev-impersonated`) authenticates as ServiceAccount `default/cairn-impersonator`,
   * which may only impersonate users and groups. Give a console
   * `KUBECONFIG=<kubeconfig>:<this kubeconfig>` and `CAIRN_IMPERSONATE_CLUSTERS=cairn-dev-impersonated`.
   * Absent without the seed.
   */
  impersonation?: { kubeconfig: string; context: string; serviceAccount: { namespace: string; name: string } };
  /**
   * The API server's audit log (JSON lines, `audit.k8s.io/v1` Events at level Metadata, stage
   * ResponseComplete and the others but RequestReceived): every request but the control plane's
   * own (controllers, scheduler, kwok, nodes, leases). Rotated at 200 MB.
   */
  auditLog: string;
  /** Per-component logs (etcd.log, kube-apiserver.log, ...). */
  logsDir: string;
  /** CRI-format container logs that kwok serves through pods/log. */
  containerLogsDir: string;
  /** The current set's binaries (kubectl, etcd, ...), also for an `older` cluster. */
  binDir: string;
  /** The kube-apiserver that runs: the current set's, or the older one. */
  apiServerBinary: string;
  /** metrics-server's loopback address, when the cluster serves `metrics.k8s.io` (option `metrics`). */
  metricsServer?: { url: string; resolutionSeconds: number };
}

export class DevCluster {
  private constructor(
    readonly info: DevClusterInfo,
    private readonly processes: ProcessGroup,
    private readonly stopTicker: () => void,
    private readonly removeDir: boolean,
  ) {}

  /** An API client with the admin's client certificate. */
  adminApi(): KubeApi {
    return new KubeApi({ server: this.info.server, ca: this.info.ca, cert: this.info.admin.cert, key: this.info.admin.key });
  }

  /** An API client that sends `token` as a bearer token. */
  tokenApi(token: string): KubeApi {
    return new KubeApi({ server: this.info.server, ca: this.info.ca, token });
  }

  /**
   * Signs a dev user in at the dev provider (or at Keycloak, `provider` `keycloak`, in a
   * cluster started with it) with the authorization code flow and returns their tokens.
   */
  login(user: keyof typeof DEV_USERS, clientId: keyof typeof DEV_OIDC_CLIENTS = 'cairn', provider: DevOidcProviderName = 'dev') {
    const client: { clientId: string; clientSecret?: string } = DEV_OIDC_CLIENTS[clientId];
    const u = DEV_USERS[user];
    return passwordLogin({
      issuer: this.issuer(provider),
      ca: this.info.ca,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      username: u.username,
      password: u.password,
    });
  }

  /** The issuer URL of `provider`; throws when the cluster was started without it. */
  issuer(provider: DevOidcProviderName = 'dev'): string {
    if (provider === 'dev') return this.info.oidc.issuer;
    if (!this.info.keycloak) throw new Error('this cluster was started without Keycloak (DevCluster.start({ keycloak: true }))');
    return this.info.keycloak.issuer;
  }

  /**
   * Compacts etcd's history up to now, as the API server does every five minutes. A watch
   * on ConfigMaps (which bypass the watch cache here) from an older resourceVersion then
   * gets 410 Gone. Returns the revision.
   */
  async compactEtcd(): Promise<number> {
    const range = JSON.parse(await httpPost(`${this.info.etcd}/v3/kv/range`, { key: Buffer.from('/').toString('base64') })) as { header: { revision: string } };
    const revision = Number(range.header.revision);
    await httpPost(`${this.info.etcd}/v3/kv/compaction`, { revision: String(revision), physical: true });
    return revision;
  }

  /**
   * Stops kube-apiserver and starts it again with the same flags (etcd keeps the data), as
   * an upgrade or a crash would; resolves when it is ready again.
   */
  async restartApiServer(): Promise<void> {
    const started = await this.processes.restart('kube-apiserver', { cwd: this.info.dir });
    const admin = this.adminApi();
    try {
      await waitUntil('kube-apiserver to be ready again', async () => (await admin.send('GET', '/readyz').catch(() => undefined))?.status === 200, 120_000, [started]);
    } finally {
      admin.close();
    }
  }

  /**
   * Resolves when `metrics.k8s.io` answers with usage for every Ready kwok node and at least
   * `minPods` pods (metrics-server needs two scrapes for a CPU rate). Rejects at `timeoutMs`
   * (default 90 s), or at once when the cluster was started without `metrics`.
   */
  async waitForMetrics(minPods = 1, timeoutMs = 90_000): Promise<void> {
    if (!this.info.metricsServer) throw new Error('this cluster was started without metrics (DevCluster.start({ metrics: true }))');
    const admin = this.adminApi();
    try {
      await waitUntil('metrics.k8s.io to report node and pod usage', async () => {
        const nodes = await admin.get<{ items: Array<{ metadata: { name: string } }> }>('/apis/metrics.k8s.io/v1beta1/nodes');
        const pods = await admin.get<{ items: unknown[] }>('/apis/metrics.k8s.io/v1beta1/pods');
        const kwokNodes = (await admin.get<{ items: NodeLike[] }>('/api/v1/nodes')).items.filter((n) => n.metadata.name.startsWith('kwok-node-') && isReady(n));
        return kwokNodes.every((n) => nodes.items.some((m) => m.metadata.name === n.metadata.name)) && pods.items.length >= minPods;
      }, timeoutMs, []);
    } finally {
      admin.close();
    }
  }

  /** Process ids of the running components (provider, etcd, apiserver, ...). */
  pids(): number[] {
    return this.processes.pids();
  }

  async stop(): Promise<void> {
    this.stopTicker();
    await this.processes.stopAll();
    if (this.removeDir) rmSync(this.info.dir, { recursive: true, force: true });
  }

  static async start(options: DevClusterOptions = {}): Promise<DevCluster> {
    // Ports are picked free, then bound by the components a moment later; on a busy machine
    // another socket can take one in between. A fresh start (new ports, new directory) fixes
    // that; a directory the caller gave is kept as it is, so it is not retried.
    for (let attempt = 1; ; attempt++) {
      try {
        return await DevCluster.startOnce(options);
      } catch (err) {
        if (options.dir || attempt >= 3 || !/address already in use/.test((err as Error).message)) throw err;
        options.log?.(`kube-testenv: a port was taken while starting; starting again with other ports (attempt ${attempt + 1})`);
      }
    }
  }

  private static async startOnce(options: DevClusterOptions): Promise<DevCluster> {
    const log = options.log ?? (() => undefined);
    const binaries = await ensureBinaries(log);
    const apiServerBinaries = options.kubernetes === 'older' ? await ensureBinaries(log, process.env, 'older') : binaries;
    if (options.metrics && options.kubernetes === 'older') throw new Error('kube-testenv: option metrics needs the current control plane (kwok), not kubernetes: older');
    const metricsBinaries = options.metrics ? await ensureBinaries(log, process.env, 'metrics') : undefined;
    if (options.keycloak && options.kubernetes === 'older') throw new Error('kube-testenv: option keycloak needs the current control plane: the v1.29 API server (kubernetes: older) trusts one OpenID issuer only');
    const keycloakHome = options.keycloak ? (await ensureKeycloak(log)).home : undefined;
    const removeDir = !options.dir;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cairn-cluster-'));
    mkdirSync(dir, { recursive: true });
    const processes = new ProcessGroup(join(dir, 'pids'), { removeOnReap: removeDir ? dir : undefined });
    const lastResort = () => processes.killAllNow();
    process.once('exit', lastResort);
    let stopTicker = () => undefined as void;
    try {
      const info = await bringUp(dir, binaries, apiServerBinaries, processes, options, log, metricsBinaries, keycloakHome);
      stopTicker = options.seed === false ? stopTicker : startLogTicker(info.containerLogsDir);
      const cluster = new DevCluster(info, processes, () => {
        stopTicker();
        process.removeListener('exit', lastResort);
      }, removeDir);
      writeFileSync(join(dir, 'cluster.json'), JSON.stringify(info, null, 2));
      return cluster;
    } catch (err) {
      stopTicker();
      await processes.stopAll();
      process.removeListener('exit', lastResort);
      if (removeDir) rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
}

async function bringUp(dir: string, binaries: KubeBinaries, apiServerBinaries: KubeBinaries, processes: ProcessGroup, options: DevClusterOptions, log: (line: string) => void, metricsBinaries?: KubeBinaries, keycloakHome?: string): Promise<DevClusterInfo> {
  const older = options.kubernetes === 'older';
  const started = Date.now();
  const step = (what: string) => log(`kube-testenv: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const pkiDir = join(dir, 'pki');
  const logsDir = join(dir, 'logs');
  const containerLogsDir = join(dir, 'container-logs');
  for (const d of [pkiDir, logsDir, containerLogsDir]) mkdirSync(d, { recursive: true });
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };

  step('generating certificates');
  const pki = await createPki();
  const pkiFiles: Record<string, { cert: string; key: string }> = {};
  for (const [name, pair] of Object.entries(pki.leaves)) {
    pkiFiles[name] = { cert: file(`pki/${name}.crt`, pair.cert), key: file(`pki/${name}.key`, pair.key) };
  }
  const caFile = file('pki/ca.crt', pki.ca.cert);
  const frontProxyCaFile = file('pki/front-proxy-ca.crt', pki.frontProxyCa.cert);
  const saKey = file('pki/sa.key', pki.serviceAccount.privateKey);
  const saPub = file('pki/sa.pub', pki.serviceAccount.publicKey);
  const certs = (name: keyof typeof pki.leaves) => pkiFiles[name] as { cert: string; key: string };

  const ports = { etcd: await freePort(), etcdPeer: await freePort(), apiserver: await freePort(), kcm: await freePort(), scheduler: await freePort(), kwok: await freePort(), metricsServer: await freePort(), keycloak: await freePort() };
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const running: ManagedProcess[] = [];
  const start = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv) => {
    const p = processes.start(name, command, args, { logFile: join(logsDir, `${name}.log`), cwd: dir, env });
    running.push(p);
    return p;
  };
  const waitFor = (what: string, check: () => Promise<boolean>, timeoutMs = 90_000) => waitUntil(what, check, timeoutMs, running);

  // 1. The dev OpenID provider first: the API server's AuthenticationConfiguration names its URL.
  step('starting the dev OpenID provider');
  const oidcConfig: DevOidcProviderConfig = {
    host: '127.0.0.1',
    port: 0,
    tlsCertFile: certs('oidc').cert,
    tlsKeyFile: certs('oidc').key,
    idTokenTtlSeconds: options.tokenTtlSeconds ?? 300,
    accessTokenTtlSeconds: options.tokenTtlSeconds ?? 300,
    refreshTokenTtlSeconds: 7 * 24 * 3600,
    users: Object.values(DEV_USERS).map(({ username, password, email, name, groups }) => ({ username, password, email, name, groups })),
    clients: Object.values(DEV_OIDC_CLIENTS).map((c) => ({ ...c })),
  };
  const oidcProcess = start('dev-oidc-provider', process.execPath, [join(repoRoot(), 'libs/kube-testenv/src/oidc/dev-oidc-provider.mts'), file('dev-oidc-provider.json', JSON.stringify(oidcConfig, null, 2))]);
  let issuer = '';
  await waitFor('the dev OpenID provider to listen', async () => {
    const ready = readFileSync(oidcProcess.logFile, 'utf8').split('\n').find((l) => l.startsWith('{"ready":true'));
    if (ready) issuer = (JSON.parse(ready) as { issuer: string }).issuer;
    return Boolean(ready);
  });

  // 1b. Keycloak, when asked, beside it: it takes 20-40 s to start, which the control plane's
  // start covers; the API server discovers it lazily, and step 6 waits for both.
  let keycloak: DevClusterInfo['keycloak'];
  if (keycloakHome) {
    step(`starting Keycloak ${KEYCLOAK_VERSION}`);
    const home = join(dir, 'keycloak');
    copyKeycloakHome(keycloakHome, home);
    writeFileSync(join(home, 'data', 'import', `${KEYCLOAK_REALM}-realm.json`), JSON.stringify(keycloakRealm({ users: Object.values(DEV_USERS), tokenTtlSeconds: options.tokenTtlSeconds ?? 300 }), null, 2), { mode: 0o600 });
    const launch = keycloakLaunch(home, ports.keycloak, certs('oidc'));
    start('keycloak', launch.command, launch.args, launch.env);
    keycloak = { issuer: launch.issuer, caFile, clients: DEV_OIDC_CLIENTS, users: DEV_USERS, version: KEYCLOAK_VERSION, realm: KEYCLOAK_REALM, home };
  }

  // 2. etcd.
  step('starting etcd');
  const etcdUrl = `http://127.0.0.1:${ports.etcd}`;
  const etcdPeer = `http://127.0.0.1:${ports.etcdPeer}`;
  start('etcd', binaries.bin('etcd'), [
    '--name=cairn-dev',
    `--data-dir=${join(dir, 'etcd-data')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${etcdPeer}`,
    `--initial-advertise-peer-urls=${etcdPeer}`,
    `--initial-cluster=cairn-dev=${etcdPeer}`,
    '--log-level=warn',
    '--quota-backend-bytes=4294967296',
  ]);
  await waitFor('etcd to be healthy', async () => (await httpGet(`${etcdUrl}/health`)).includes('"health":"true"'));

  // 3. kube-apiserver, trusting our CA for clients and the dev provider for OIDC.
  step('starting kube-apiserver');
  const authConfig = file(
    'authentication-config.yaml',
    stringify({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'AuthenticationConfiguration',
      jwt: [
        {
          issuer: {
            url: issuer,
            certificateAuthority: pki.ca.cert,
            audiences: [DEV_OIDC_CLIENTS.cairn.clientId, DEV_OIDC_CLIENTS.kubernetes.clientId],
            audienceMatchPolicy: 'MatchAny',
          },
          claimMappings: OIDC_CLAIM_MAPPINGS,
        },
        // Keycloak's realm: the same audiences and claim mappings, so its users are the same
        // people to RBAC (seed 002's setup: a confidential console client, a public kubectl one).
        ...(keycloak
          ? [
              {
                issuer: {
                  url: keycloak.issuer,
                  certificateAuthority: pki.ca.cert,
                  audiences: [DEV_OIDC_CLIENTS.cairn.clientId, DEV_OIDC_CLIENTS.kubernetes.clientId],
                  audienceMatchPolicy: 'MatchAny',
                },
                claimMappings: OIDC_CLAIM_MAPPINGS,
              },
            ]
          : []),
      ],
    }),
  );
  // v1.29 has AuthenticationConfiguration only as an alpha (v1alpha1, feature-gated): there the
  // same trust is given with the --oidc-* flags (one audience: the gateway's client).
  const oidcFlags = older
    ? [`--oidc-issuer-url=${issuer}`, `--oidc-client-id=${DEV_OIDC_CLIENTS.cairn.clientId}`, `--oidc-ca-file=${caFile}`, '--oidc-username-claim=email', '--oidc-username-prefix=-', '--oidc-groups-claim=groups']
    : [`--authentication-config=${authConfig}`];
  // Metadata-level audit of what people and consoles do (who, as whom, which verb and object),
  // without the control plane's own chatter, so tests can read who the API server saw.
  const auditPolicy = file(
    'audit-policy.yaml',
    stringify({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      omitStages: ['RequestReceived'],
      rules: [
        { level: 'None', users: ['system:kube-controller-manager', 'system:kube-scheduler', 'system:apiserver', 'kwok', 'kube-apiserver-kubelet-client'] },
        { level: 'None', userGroups: ['system:nodes', 'system:serviceaccounts:kube-system'] },
        { level: 'None', resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
        { level: 'Metadata' },
      ],
    }),
  );
  const auditLog = join(logsDir, 'audit.log');
  start('kube-apiserver', apiServerBinaries.bin('kube-apiserver'), [
    `--audit-policy-file=${auditPolicy}`,
    `--audit-log-path=${auditLog}`,
    '--audit-log-maxsize=200',
    '--audit-log-maxbackup=1',
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${certs('apiserver').cert}`,
    `--tls-private-key-file=${certs('apiserver').key}`,
    `--client-ca-file=${caFile}`,
    `--kubelet-certificate-authority=${caFile}`,
    `--kubelet-client-certificate=${certs('apiserver-kubelet-client').cert}`,
    `--kubelet-client-key=${certs('apiserver-kubelet-client').key}`,
    '--kubelet-preferred-address-types=InternalIP',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${saPub}`,
    `--service-account-signing-key-file=${saKey}`,
    ...oidcFlags,
    '--authorization-mode=Node,RBAC',
    '--service-cluster-ip-range=10.96.0.0/16',
    '--allow-privileged=true',
    '--profiling=false',
    // ConfigMaps bypass the watch cache, so after compactEtcd() a watch on them from an
    // older resourceVersion gets a real 410 Gone (the cache would still serve it).
    '--watch-cache-sizes=configmaps#0',
    // The aggregation layer (metrics.k8s.io through metrics-server): the API server proxies as
    // front-proxy-client (its own CA) and names the caller in these headers.
    `--requestheader-client-ca-file=${frontProxyCaFile}`,
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${certs('front-proxy-client').cert}`,
    `--proxy-client-key-file=${certs('front-proxy-client').key}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    '--v=1',
  ]);
  const admin = new KubeApi({ server, ca: pki.ca.cert, cert: pki.leaves.admin.cert, key: pki.leaves.admin.key });
  await waitFor('kube-apiserver to be ready', async () => {
    const res = await admin.send('GET', '/readyz').catch(() => undefined);
    return res?.status === 200;
  }, 120_000);

  if (!older) {
    // 4. Controller manager, scheduler and kwok, each with its own identity.
    step('starting kube-controller-manager, kube-scheduler and kwok');
    const kubeconfigFor = (name: string, pair: { cert: string; key: string }) =>
      file(`${name}.kubeconfig`, stringify(kubeconfig(server, pki.ca.cert, { name, cert: readFileSync(pair.cert, 'utf8'), key: readFileSync(pair.key, 'utf8') })));
    /** Flags the controller manager and the scheduler share: identity, serving, no leader election. */
    const componentFlags = (kubeconfigFile: string, port: number) => [
      `--kubeconfig=${kubeconfigFile}`,
      `--authentication-kubeconfig=${kubeconfigFile}`,
      `--authorization-kubeconfig=${kubeconfigFile}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${port}`,
      `--tls-cert-file=${certs('components').cert}`,
      `--tls-private-key-file=${certs('components').key}`,
      '--leader-elect=false',
      '--profiling=false',
      '--v=1',
    ];
    start('kube-controller-manager', binaries.bin('kube-controller-manager'), [
      ...componentFlags(kubeconfigFor('kube-controller-manager', certs('controller-manager-client')), ports.kcm),
      '--controllers=*',
      '--use-service-account-credentials=true',
      `--root-ca-file=${caFile}`,
      `--service-account-private-key-file=${saKey}`,
      '--cluster-cidr=10.244.0.0/16',
      '--service-cluster-ip-range=10.96.0.0/16',
    ]);
    start('kube-scheduler', binaries.bin('kube-scheduler'), componentFlags(kubeconfigFor('kube-scheduler', certs('scheduler-client')), ports.scheduler));
    const stage = (path: string) => join(binaries.stagesDir, path);
    const kwokConfigs = [
      stage('node/fast/node-initialize.yaml'),
      stage('node/heartbeat-with-lease/node-heartbeat-with-lease.yaml'),
      stage('pod/fast/pod-ready.yaml'),
      stage('pod/fast/pod-complete.yaml'),
      stage('pod/fast/pod-delete.yaml'),
      stage('pod/chaos/pod-container-running-failed.yaml'),
      file('kwok-crash-loop-stage.yaml', crashLoopStage()),
      file('kwok-ephemeral-containers-stage.yaml', ephemeralContainersStage()),
    ];
    if (options.seed !== false) kwokConfigs.push(file('kwok-logs.yaml', writeLogs(containerLogsDir)));
    if (options.metrics) kwokConfigs.push(file('kwok-metrics-resource.yaml', resourceMetricsConfig()), file('kwok-resource-usage.yaml', resourceUsageConfig()));
    if (options.seed !== false) {
      // The working directory of exec'd processes. Run as root, the cluster makes them run as
      // `nobody`, who owns that directory and may pass through the cluster's (its keys stay 0600);
      // when a parent directory does not let others through, they run as this user instead.
      const execDir = join(dir, 'exec-home');
      mkdirSync(execDir, { recursive: true, mode: 0o755 });
      let asNobody = process.getuid?.() === 0;
      if (asNobody) {
        chmodSync(dir, 0o711);
        chownSync(execDir, 65534, 65534);
        for (let d = dirname(execDir); asNobody && d !== dirname(d); d = dirname(d)) asNobody = (statSync(d).mode & 0o001) !== 0;
      }
      kwokConfigs.push(file('kwok-exec.yaml', clusterExec(execDir, asNobody)));
      kwokConfigs.push(file('kwok-attach.yaml', clusterAttach(containerLogsDir)));
    }
    for (const config of kwokConfigs) if (!existsSync(config)) throw new Error(`kwok stage config ${config} is missing; rebuild with CAIRN_KUBE_REBUILD=1 npm run kube:build`);
    start('kwok', binaries.bin('kwok'), [
      `--kubeconfig=${kubeconfigFor('kwok', certs('kwok-client'))}`,
      `--config=${kwokConfigs.join(',')}`,
      // Only the fake nodes: the seed's lost node must keep the status it was given.
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--node-ip=127.0.0.1',
      `--node-port=${ports.kwok}`,
      `--server-address=127.0.0.1:${ports.kwok}`,
      `--tls-cert-file=${certs('components').cert}`,
      `--tls-private-key-file=${certs('components').key}`,
      '--node-lease-duration-seconds=40',
      '--cidr=10.244.0.0/16',
    ]);
    const componentHealthy = (port: number) => async () => {
      const res = await new KubeApi({ server: `https://127.0.0.1:${port}`, ca: pki.ca.cert }).send('GET', '/healthz').catch(() => undefined);
      return res?.status === 200;
    };
    await waitFor('kube-controller-manager to be healthy', componentHealthy(ports.kcm));
    await waitFor('kube-scheduler to be healthy', componentHealthy(ports.scheduler));

    // 5. Nodes, then what runs on them.
    step('registering fake nodes');
    const nodes = seedNodes(options.nodes ?? 2, options.podsPerNode ?? 110);
    for (const node of nodes) await admin.create(node).catch(ignoreConflict);
    await waitFor('kwok to bring the nodes to Ready', async () => {
      const list = await admin.get<{ items: NodeLike[] }>('/api/v1/nodes');
      return nodes.every((n) => list.items.some((i) => i.metadata.name === n.metadata.name && isReady(i)));
    });

    if (metricsBinaries) {
      step('starting metrics-server behind the aggregation layer');
      for (const object of metricsServerObjects(ports.metricsServer, pki.ca.cert)) await admin.apply(object);
      start('metrics-server', metricsBinaries.bin('metrics-server'), metricsServerFlags({
        port: ports.metricsServer,
        kubeconfig: kubeconfigFor('metrics-server', certs('metrics-server-client')),
        tlsCert: certs('metrics-server').cert,
        tlsKey: certs('metrics-server').key,
        caFile,
        resolutionSeconds: METRICS_RESOLUTION_SECONDS,
      }));
      await waitFor('APIService v1beta1.metrics.k8s.io to be Available', async () => {
        const service = await admin.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>('/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io');
        return service.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') ?? false;
      }, 120_000);
    }
  }

  const serviceAccountTokenFile = join(dir, 'deployer.token');
  let serviceAccountToken = '';
  let impersonation: DevClusterInfo['impersonation'];
  if (options.seed !== false) {
    step('seeding namespaces, RBAC and workloads');
    for (const ns of seedNamespaces()) await admin.apply(ns);
    // Without a controller manager nothing creates them: as its serviceaccounts controller would.
    if (older) for (const ns of SEED_NAMESPACES) await admin.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } }).catch(ignoreConflict);
    await waitFor('the default ServiceAccount in every seeded namespace', async () => {
      for (const ns of SEED_NAMESPACES) {
        const res = await admin.send('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`);
        if (res.status !== 200) return false;
      }
      return true;
    });
    for (const object of seedRbac()) await admin.apply(object);
    if (older) await aggregateClusterRoles(admin);
    for (const object of seedWorkloads()) await admin.apply(object);
    await seedPodStates(admin);
    await seedJobStates(admin);
    await seedOddObjects(admin);
    const tokenRequest = await admin.json<{ status: { token: string } }>(
      'POST',
      `/api/v1/namespaces/${DEV_SERVICE_ACCOUNT.namespace}/serviceaccounts/${DEV_SERVICE_ACCOUNT.name}/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 7 * 24 * 3600 } },
    );
    serviceAccountToken = tokenRequest.status.token;
    writeFileSync(serviceAccountTokenFile, serviceAccountToken, { mode: 0o600 });
    const impersonatorToken = await admin.json<{ status: { token: string } }>(
      'POST',
      `/api/v1/namespaces/${DEV_IMPERSONATOR.namespace}/serviceaccounts/${DEV_IMPERSONATOR.name}/token`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 7 * 24 * 3600 } },
    );
    impersonation = {
      kubeconfig: file('impersonation.kubeconfig', stringify(impersonationKubeconfig(server, pki.ca.cert, impersonatorToken.status.token))),
      context: DEV_IMPERSONATOR.context,
      serviceAccount: { namespace: DEV_IMPERSONATOR.namespace, name: DEV_IMPERSONATOR.name },
    };

    if (!older) {
      await waitFor('team-a/web to have 2 available replicas', async () => {
        const d = await admin.get<{ status?: { availableReplicas?: number } }>('/apis/apps/v1/namespaces/team-a/deployments/web');
        return d.status?.availableReplicas === 2;
      });
      await recordCrashLoopEvents(admin, waitFor);
    }
  }

  // 6. The API server discovers the providers lazily: wait until an ID token of each authenticates.
  const providers = [{ name: 'the dev provider', issuer }, ...(keycloak ? [{ name: 'Keycloak', issuer: keycloak.issuer }] : [])];
  for (const provider of providers) {
    step(`checking that the API server accepts ${provider.name}\u2019s ID tokens`);
    await waitFor(`an ID token from ${provider.name} to authenticate at the API server`, () => acceptsIdToken(provider.issuer), provider.issuer === issuer ? 60_000 : 180_000);
  }
  async function acceptsIdToken(providerIssuer: string): Promise<boolean> {
    const tokens = await passwordLogin({
      issuer: providerIssuer,
      ca: pki.ca.cert,
      clientId: DEV_OIDC_CLIENTS.cairn.clientId,
      clientSecret: DEV_OIDC_CLIENTS.cairn.clientSecret,
      username: DEV_USERS.alice.username,
      password: DEV_USERS.alice.password,
    });
    const review = await admin.as({ token: tokens.idToken }).send('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    });
    return review.status === 201;
  }

  const kubeconfigPath = file(
    'kubeconfig',
    stringify(kubeconfig(server, pki.ca.cert, { name: 'cairn-dev-admin', cert: pki.leaves.admin.cert, key: pki.leaves.admin.key }, serviceAccountToken)),
  );
  if (options.seed !== false && !older) {
    step('installing the seeded Helm release');
    await seedHelmRelease({ binDir: binaries.binDir, kubeconfig: kubeconfigPath });
  }
  step('ready');
  return {
    dir,
    kubeconfig: kubeconfigPath,
    server,
    etcd: etcdUrl,
    caFile,
    ca: pki.ca.cert,
    admin: pki.leaves.admin,
    oidc: { issuer, caFile, clients: DEV_OIDC_CLIENTS, users: DEV_USERS },
    ...(keycloak ? { keycloak } : {}),
    serviceAccount: { ...DEV_SERVICE_ACCOUNT, token: serviceAccountToken, tokenFile: serviceAccountTokenFile },
    ...(impersonation ? { impersonation } : {}),
    auditLog,
    logsDir,
    containerLogsDir,
    binDir: binaries.binDir,
    apiServerBinary: apiServerBinaries.bin('kube-apiserver'),
    ...(metricsBinaries ? { metricsServer: { url: `https://127.0.0.1:${ports.metricsServer}`, resolutionSeconds: METRICS_RESOLUTION_SECONDS } } : {}),
  };
}

/** How the API server maps every provider's tokens: username = `email`, groups = `groups`, no prefixes. */
const OIDC_CLAIM_MAPPINGS = { username: { claim: 'email', prefix: '' }, groups: { claim: 'groups', prefix: '' } };

/** metrics-server's scrape interval (its minimum). */
const METRICS_RESOLUTION_SECONDS = 10;

async function createPki() {
  const ca = await createCertificateAuthority('cairn-dev-ca');
  const frontProxyCa = await createCertificateAuthority('cairn-dev-front-proxy-ca');
  const loopback = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
  const leaves = {
    apiserver: await issueCertificate(ca, {
      commonName: 'kube-apiserver',
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
      ipAddresses: ['127.0.0.1', '10.96.0.1'],
      usages: ['server'],
    }),
    components: await issueCertificate(ca, { commonName: 'cairn-dev-components', ...loopback, usages: ['server'] }),
    oidc: await issueCertificate(ca, { commonName: 'cairn-dev-oidc', ...loopback, usages: ['server'] }),
    admin: await issueCertificate(ca, { commonName: 'cairn-dev-admin', organizations: ['system:masters'], usages: ['client'] }),
    'apiserver-kubelet-client': await issueCertificate(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usages: ['client'] }),
    'controller-manager-client': await issueCertificate(ca, { commonName: 'system:kube-controller-manager', usages: ['client'] }),
    'scheduler-client': await issueCertificate(ca, { commonName: 'system:kube-scheduler', usages: ['client'] }),
    'kwok-client': await issueCertificate(ca, { commonName: 'kwok', organizations: ['system:masters'], usages: ['client'] }),
    // The aggregation layer: the API server's proxy identity (signed by its own CA, the one
    // aggregated servers trust for X-Remote-User), and metrics-server's serving certificate
    // for the name the API server checks (<service>.<namespace>.svc) and its client identity.
    'front-proxy-client': await issueCertificate(frontProxyCa, { commonName: 'front-proxy-client', usages: ['client'] }),
    'metrics-server': await issueCertificate(ca, { commonName: 'metrics-server', dnsNames: ['localhost', 'metrics-server.kube-system.svc'], ipAddresses: ['127.0.0.1'], usages: ['server'] }),
    'metrics-server-client': await issueCertificate(ca, { commonName: METRICS_SERVER_USER, usages: ['client'] }),
  };
  return { ca, frontProxyCa, leaves, serviceAccount: await createSigningKey() };
}

/** A kubeconfig with every credential inline, so it can be copied anywhere (or pasted into Cairn). */
function kubeconfig(server: string, ca: string, user: { name: string; cert: string; key: string }, serviceAccountToken?: string) {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const contexts = [{ name: 'cairn-dev', context: { cluster: 'cairn-dev', user: user.name } }];
  const users: Array<{ name: string; user: Record<string, string> }> = [
    { name: user.name, user: { 'client-certificate-data': b64(user.cert), 'client-key-data': b64(user.key) } },
  ];
  if (serviceAccountToken) {
    contexts.push({ name: 'cairn-dev-deployer', context: { cluster: 'cairn-dev', user: 'deployer', namespace: DEV_SERVICE_ACCOUNT.namespace } as never });
    users.push({ name: 'deployer', user: { token: serviceAccountToken } });
  }
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'cairn-dev', cluster: { server, 'certificate-authority-data': b64(ca) } }],
    contexts,
    users,
    'current-context': 'cairn-dev',
  };
}

/**
 * The kubeconfig of a console that reaches the dev API server by impersonation: one context,
 * `cairn-dev-impersonated`, whose user is the impersonator ServiceAccount's token (a second
 * cluster entry; the admin kubeconfig keeps its two contexts).
 */
function impersonationKubeconfig(server: string, ca: string, token: string) {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: DEV_IMPERSONATOR.context, cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
    contexts: [{ name: DEV_IMPERSONATOR.context, context: { cluster: DEV_IMPERSONATOR.context, user: DEV_IMPERSONATOR.name } }],
    users: [{ name: DEV_IMPERSONATOR.name, user: { token } }],
    'current-context': DEV_IMPERSONATOR.context,
  };
}

interface NodeLike {
  metadata: { name: string };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

function isReady(node: NodeLike): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function ignoreConflict(err: unknown): void {
  if (err instanceof KubeApiError && err.status === 409) return;
  throw err;
}

/**
 * Fills each ClusterRole that has an `aggregationRule` (admin, edit, view, ...) with the rules
 * of the ClusterRoles its selectors match, once, as the controller manager's
 * clusterrole-aggregation controller does continuously: a cluster without a controller
 * manager would otherwise give `edit` no rules at all.
 */
async function aggregateClusterRoles(admin: KubeApi): Promise<void> {
  type ClusterRole = { metadata: { name: string; labels?: Record<string, string> }; rules?: unknown[]; aggregationRule?: { clusterRoleSelectors?: Array<{ matchLabels?: Record<string, string> }> } };
  const roles = (await admin.get<{ items: ClusterRole[] }>('/apis/rbac.authorization.k8s.io/v1/clusterroles')).items;
  const byName = new Map(roles.map((r) => [r.metadata.name, r]));
  const rulesOf = (role: ClusterRole, seen: Set<string>): unknown[] => {
    if (seen.has(role.metadata.name)) return [];
    seen.add(role.metadata.name);
    if (!role.aggregationRule) return role.rules ?? [];
    const selectors = role.aggregationRule.clusterRoleSelectors ?? [];
    const matched = roles.filter((r) => r !== role && selectors.some((s) => Object.entries(s.matchLabels ?? {}).every(([k, v]) => r.metadata.labels?.[k] === v)));
    return matched.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).flatMap((r) => rulesOf(byName.get(r.metadata.name) ?? r, seen));
  };
  for (const role of roles) {
    if (!role.aggregationRule) continue;
    const rules = [...new Map(rulesOf(role, new Set()).map((r) => [JSON.stringify(r), r])).values()];
    await admin.json('PATCH', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role.metadata.name}`, { rules }, 'application/merge-patch+json');
  }
}

/** Records the kubelet's BackOff warnings for the crash-looping pods, as a real node would. */
async function recordCrashLoopEvents(admin: KubeApi, waitFor: (what: string, check: () => Promise<boolean>) => Promise<void>): Promise<void> {
  type PodList = { items: Array<{ metadata: { name: string; namespace: string; uid: string }; spec: { containers: Array<{ name: string }>; nodeName?: string } }> };
  let pods: PodList['items'] = [];
  await waitFor('the crash-looping pod to be scheduled', async () => {
    pods = (await admin.get<PodList>(`/api/v1/pods?labelSelector=${encodeURIComponent(`${CRASH_LOOP_LABEL}=true`)}`)).items.filter((p) => p.spec.nodeName);
    return pods.length > 0;
  });
  const now = new Date().toISOString();
  for (const pod of pods) {
    for (const container of pod.spec.containers) {
      const event: KubeObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${pod.metadata.name}.backoff-${container.name}`, namespace: pod.metadata.namespace },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid, fieldPath: `spec.containers{${container.name}}` },
        type: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container ${container.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
        source: { component: 'kubelet', host: pod.spec.nodeName },
        count: 12,
        firstTimestamp: now,
        lastTimestamp: now,
      };
      await admin.create(event).catch(ignoreConflict);
    }
  }
}

/** Polls `check` until it is true; fails at the timeout, or at once when a component exits. */
async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, processes: ManagedProcess[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let failed: Error | undefined;
  const watchers = processes.map((p) => p.exited.catch((err: Error) => (failed = err)));
  void watchers;
  while (Date.now() < deadline) {
    if (failed) throw failed;
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const logs = processes.map((p) => `--- ${p.name} (${p.logFile})\n${tail(p.logFile, 8)}`).join('\n');
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}\n${logs}`);
}

function httpGet(url: string): Promise<string> {
  return httpSend('GET', url);
}

function httpPost(url: string, body: unknown): Promise<string> {
  return httpSend('POST', url, JSON.stringify(body));
}

function httpSend(method: string, url: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end(body);
  });
}
