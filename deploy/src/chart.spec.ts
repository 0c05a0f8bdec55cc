import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { chartMetadata, CHART_DIR, Container, exampleValues, helm, KubeObject, render, Rendered, tryRender } from './chart';

const scratch = mkdtempSync(join(tmpdir(), 'cairn-chart-spec-'));
let fileCount = 0;
/** A values file holding `values`, for the cases `--set` cannot express. */
function valuesFile(values: unknown): string {
  const file = join(scratch, `values-${++fileCount}.yaml`);
  writeFileSync(file, stringify(values));
  return file;
}

function envOf(container: Container): Record<string, NonNullable<Container['env']>[number]> {
  return Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
}

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
  return items[0] as T;
}

const examples = exampleValues();

describe('helm lint', () => {
  it('passes with the defaults and with every example values file', async () => {
    expect(examples.map((e) => e.name)).toEqual(['all-in-one', 'defaults', 'impersonation', 'oidc-from-secret', 'production', 'proxy-ca-bundle', 'read-only']);
    for (const values of [[], ...examples.map((e) => [e.file])]) {
      const result = await helm(['lint', '--strict', CHART_DIR, ...values.flatMap((v) => ['--values', v])]);
      expect({ values, out: result.stdout + result.stderr, code: result.code }).toMatchObject({ code: 0 });
      expect(result.stdout).toContain('0 chart(s) failed');
    }
  });
});

describe('every example renders', () => {
  const rendered = new Map<string, Rendered>();
  beforeAll(async () => {
    for (const e of examples) rendered.set(e.name, await render({ values: [e.file] }));
  });
  const get = (name: string) => rendered.get(name) as Rendered;

  it('defaults: gateway and auth service in two Deployments, images tagged with the appVersion', () => {
    const { appVersion } = chartMetadata();
    const r = get('defaults');
    expect(r.find('Deployment').map((d) => d.metadata.name).sort()).toEqual(['cairn', 'cairn-auth']);
    expect(only(r.containers('gateway'), 'gateway').image).toBe(`ghcr.io/cairn-dev/cairn-gateway:${appVersion}`);
    expect(only(r.containers('auth-service'), 'auth-service').image).toBe(`ghcr.io/cairn-dev/cairn-auth-service:${appVersion}`);
    expect(r.find('ClusterRoleBinding')).toHaveLength(0);
    expect(r.find('Ingress')).toHaveLength(0);
    expect(r.find('NetworkPolicy')).toHaveLength(0);
    expect(r.find('HorizontalPodAutoscaler')).toHaveLength(0);
    expect(r.find('PodDisruptionBudget')).toHaveLength(2);
    expect(r.find('Role', 'cairn-remotes')).toHaveLength(1);
    const gateway = envOf(only(r.containers('gateway'), 'gateway'));
    expect(gateway['CAIRN_HOST']?.value).toBe('0.0.0.0');
    expect(gateway['CAIRN_IN_CLUSTER']?.value).toBe('true');
    expect(gateway['CAIRN_AUTH_SERVICE_URL']?.value).toBe('http://cairn-auth.cairn.svc:4467');
    expect(gateway['CAIRN_SESSION_KEY']?.valueFrom?.secretKeyRef).toEqual({ name: 'cairn-session', key: 'current' });
    const auth = envOf(only(r.containers('auth-service'), 'auth-service'));
    expect(auth['CAIRN_SESSION_KEY']?.valueFrom?.secretKeyRef).toEqual({ name: 'cairn-session', key: 'current' });
    expect(auth['CAIRN_GATEWAY_URL']?.value).toBe('http://cairn.cairn.svc:80');
    expect(auth['OIDC_ISSUER_URL']).toBeUndefined();
    const session = only(r.find('Secret', 'cairn-session'), 'session Secret') as KubeObject & { data: Record<string, string> };
    expect(Buffer.from(session.data['current'] as string, 'base64').toString()).toMatch(/^[A-Za-z0-9]{64}$/);
  });

  it('defaults: a read-only root filesystem with no volume at all (the services write nothing)', () => {
    for (const { owner, spec } of get('defaults').podSpecs()) {
      expect({ pod: owner.metadata.name, volumes: spec.volumes }).toEqual({ pod: owner.metadata.name, volumes: undefined });
      for (const c of spec.containers) {
        expect(c.securityContext?.['readOnlyRootFilesystem']).toBe(true);
        expect(c.volumeMounts).toBeUndefined();
      }
    }
  });

  it('all-in-one: one Deployment, one container of the console image, one Service port, no auth objects, nothing on loopback (seed 001)', () => {
    const { appVersion } = chartMetadata();
    const r = get('all-in-one');
    const deployment = only(r.find('Deployment'), 'Deployment');
    expect(deployment.metadata.name).toBe('cairn');
    const spec = r.podSpecs().find((p) => p.owner === deployment)?.spec;
    expect(spec?.containers.map((c) => c.name)).toEqual(['console']);
    const consoleContainer = only(r.containers('console'), 'console');
    expect(consoleContainer.image).toBe(`ghcr.io/cairn-dev/cairn-console:${appVersion}`);
    expect((consoleContainer as Container & { ports?: unknown[] }).ports).toEqual([{ name: 'http', containerPort: 4466, protocol: 'TCP' }]);
    // Seed 001's pod: 100m / 128Mi, requests equal to limits.
    expect(consoleContainer.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '128Mi' } });
    const env = envOf(consoleContainer);
    for (const between of ['CAIRN_AUTH_SERVICE_URL', 'CAIRN_GATEWAY_URL', 'CAIRN_AUTH_HOST', 'CAIRN_AUTH_PORT']) expect({ between, set: between in env }).toEqual({ between, set: false });
    expect(r.text).not.toContain('127.0.0.1');
    expect(env['CAIRN_HOST']?.value).toBe('0.0.0.0');
    expect(env['NODE_OPTIONS']?.value).toBe('--max-old-space-size-percentage=50');
    // Both halves' settings: the gateway's token mount and in-cluster cluster, the auth service's OIDC from the Secret.
    expect(spec?.automountServiceAccountToken).toBe(true);
    expect(env['CAIRN_IN_CLUSTER']?.value).toBe('true');
    expect(env['OIDC_CLIENT_SECRET']?.valueFrom?.secretKeyRef).toEqual({ name: 'cairn-oidc', key: 'clientSecret' });
    expect(r.find('Service').map((s) => s.metadata.name)).toEqual(['cairn']);
    expect((only(r.find('Service'), 'Service') as unknown as { spec: { ports: unknown[] } }).spec.ports).toHaveLength(1);
    expect(r.objects.filter((o) => o.metadata.name.startsWith('cairn-auth')).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    expect(r.containers('gateway')).toEqual([]);
    expect(r.containers('auth-service')).toEqual([]);
    // `helm test` runs the console image's node: the gateway image is not pulled for it.
    const hook = only(r.find('Pod'), 'test pod') as unknown as { spec: { containers: Container[] } };
    expect(hook.spec.containers[0]?.image).toBe(`ghcr.io/cairn-dev/cairn-console:${appVersion}`);
  });

  it('all-in-one: the console container carries every setting the two services get in the split layout, with the same value, except how they reach each other', async () => {
    const split = await render({ values: [examples.find((e) => e.name === 'production')?.file as string] });
    const one = await render({ values: [examples.find((e) => e.name === 'production')?.file as string], set: ['allInOne=true'] });
    const consoleContainer = only(one.containers('console'), 'console');
    const between = ['CAIRN_AUTH_SERVICE_URL', 'CAIRN_GATEWAY_URL', 'CAIRN_AUTH_HOST', 'CAIRN_AUTH_PORT'];
    const expected = new Map<string, unknown>();
    for (const c of [only(split.containers('gateway'), 'gateway'), only(split.containers('auth-service'), 'auth-service')]) {
      for (const e of c.env ?? []) if (!between.includes(e.name) && !expected.has(e.name)) expected.set(e.name, e);
    }
    expect(new Map((consoleContainer.env ?? []).map((e) => [e.name, e]))).toEqual(expected);
    expect(consoleContainer.args).toEqual(only(split.containers('gateway'), 'gateway').args);
    // Mounts of both, each once.
    expect(consoleContainer.volumeMounts?.map((m) => m.mountPath)).toEqual(['/etc/cairn/remotes', '/etc/cairn/kubeconfig', '/scratch', '/etc/cairn/auth']);
    const pod = only(one.podSpecs().filter((p) => p.owner.kind === 'Deployment'), 'Deployment').spec;
    expect(pod.volumes?.map((v) => v.name).sort()).toEqual(['auth-config', 'kubeconfig', 'remotes', 'scratch']);
    // The objects that loop over components make one of each, for the one Deployment.
    expect(one.find('HorizontalPodAutoscaler').map((h) => h.metadata.name)).toEqual(['cairn']);
    expect(one.find('PodDisruptionBudget').map((p) => p.metadata.name)).toEqual(['cairn']);
    expect(one.find('Deployment').map((d) => d.metadata.name)).toEqual(['cairn']);
    const policies = (await render({ values: [examples.find((e) => e.name === 'read-only')?.file as string], set: ['allInOne=true'] })).find('NetworkPolicy');
    expect(policies.map((p) => p.metadata.name)).toEqual(['cairn']);
  });

  it('every Cairn container holds V8 to half its memory limit and sets malloc\u2019s thresholds (config.heapPercentage), and 0 leaves both their defaults', async () => {
    for (const [name, r] of rendered) {
      for (const c of ['gateway', 'auth-service', 'console'].flatMap((n) => r.containers(n))) {
        const env = envOf(c);
        expect({ name, container: c.name, nodeOptions: env['NODE_OPTIONS']?.value, mmap: env['MALLOC_MMAP_THRESHOLD_']?.value, trim: env['MALLOC_TRIM_THRESHOLD_']?.value }).toEqual({ name, container: c.name, nodeOptions: '--max-old-space-size-percentage=50', mmap: '32768', trim: '1048576' });
        expect({ name, container: c.name, limit: c.resources?.limits?.['memory'] }).toEqual({ name, container: c.name, limit: expect.stringMatching(/^[0-9]+(Mi|Gi)$/) });
      }
    }
    const off = await render({ set: ['allInOne=true', 'config.heapPercentage=0'] });
    const offEnv = envOf(only(off.containers('console'), 'console'));
    expect([offEnv['NODE_OPTIONS'], offEnv['MALLOC_MMAP_THRESHOLD_'], offEnv['MALLOC_TRIM_THRESHOLD_']]).toEqual([undefined, undefined, undefined]);
    const split = await render({ set: ['config.heapPercentage=75'] });
    expect(envOf(only(split.containers('auth-service'), 'auth-service'))['NODE_OPTIONS']?.value).toBe('--max-old-space-size-percentage=75');
  });

  it('oidc-from-secret: the existing Secret feeds the auth service without any env by hand (seed 001)', () => {
    const r = get('oidc-from-secret');
    expect(r.find('Secret', 'cairn-oidc')).toHaveLength(0);
    const auth = envOf(only(r.containers('auth-service'), 'auth-service'));
    expect(auth['OIDC_ISSUER_URL']?.valueFrom?.secretKeyRef).toEqual({ name: 'cairn-oidc', key: 'issuerURL' });
    expect(auth['OIDC_CLIENT_ID']?.valueFrom?.secretKeyRef).toEqual({ name: 'cairn-oidc', key: 'clientID' });
    expect(auth['OIDC_CLIENT_SECRET']?.valueFrom?.secretKeyRef).toEqual({ name: 'cairn-oidc', key: 'clientSecret' });
    expect(auth['OIDC_SCOPES']?.valueFrom?.secretKeyRef).toEqual({ name: 'cairn-oidc', key: 'scopes', optional: true });
    expect(auth['OIDC_PROVIDER_NAME']?.value).toBe('Authentik');
    expect(auth['CAIRN_PUBLIC_URL']?.value).toBe('https://cairn.example.net');
    const ingress = only(r.find('Ingress'), 'Ingress') as KubeObject & { spec: { ingressClassName: string; tls: unknown[] } };
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ secretName: 'cairn-tls', hosts: ['cairn.example.net'] }]);
  });

  it('proxy-ca-bundle: the gateway talks to the proxy and both services trust its CA (seed 002)', () => {
    const r = get('proxy-ca-bundle');
    const gatewayContainer = only(r.containers('gateway'), 'gateway');
    const gateway = envOf(gatewayContainer);
    expect(gateway['KUBERNETES_SERVICE_HOST']?.value).toBe('capsule-proxy.capsule-system.svc');
    expect(gateway['KUBERNETES_SERVICE_PORT']?.value).toBe('9001');
    expect(gateway['CAIRN_CA_BUNDLE']?.value).toBe('/etc/cairn/ca');
    expect(envOf(only(r.containers('auth-service'), 'auth-service'))['CAIRN_CA_BUNDLE']?.value).toBe('/etc/cairn/ca');
    expect(gatewayContainer.volumeMounts).toEqual([{ name: 'ca-bundle', mountPath: '/etc/cairn/ca', readOnly: true }]);
    const volume = r.podSpecs()[0]?.spec.volumes?.find((v) => v.name === 'ca-bundle');
    expect(volume).toEqual({
      name: 'ca-bundle',
      projected: {
        sources: [
          { configMap: { name: 'corporate-ca', items: [{ key: 'ca-bundle.pem', path: 'configmap-ca.crt' }] } },
          { secret: { name: 'capsule-proxy', items: [{ key: 'ca.crt', path: 'secret-ca.crt' }] } },
        ],
      },
    });
    // The service-account token mount is left alone: the proxy's CA is added, not swapped in.
    expect(gatewayContainer.volumeMounts?.some((m) => m.mountPath.startsWith('/var/run/secrets'))).toBe(false);
    expect(r.find('Role')).toHaveLength(0);
    const oidcSecret = only(r.find('Secret', 'cairn-oidc'), 'OIDC Secret') as KubeObject & { stringData: Record<string, string> };
    expect(oidcSecret.stringData).toEqual({ issuerURL: 'https://keycloak.example.net/realms/tenants', clientID: 'cairn', clientSecret: 'replace-me', scopes: 'openid profile email groups offline_access' });
  });

  it('read-only: a view-bound login ServiceAccount, its token Secret, and a NetworkPolicy (seed 003)', () => {
    const r = get('read-only');
    const binding = only(r.find('ClusterRoleBinding'), 'ClusterRoleBinding') as KubeObject & { roleRef: { name: string }; subjects: unknown[] };
    expect(binding.roleRef.name).toBe('view');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'cairn-login', namespace: 'cairn' }]);
    expect(r.find('ServiceAccount', 'cairn-login')).toHaveLength(1);
    expect((only(r.find('Secret', 'cairn-login-token'), 'token Secret') as KubeObject & { type: string }).type).toBe('kubernetes.io/service-account-token');
    // The gateway's own ServiceAccount gets no cluster-wide role.
    expect(JSON.stringify(binding.subjects)).not.toContain('"name":"cairn"');
    expect(r.find('NetworkPolicy').map((n) => n.metadata.name).sort()).toEqual(['cairn', 'cairn-auth']);
    expect(envOf(only(r.containers('gateway'), 'gateway'))['CAIRN_USER_CLUSTERS']?.value).toBe('false');
  });

  it('production: HPAs own the replica counts, the remotes file is the remotes value, pod-level keys land', () => {
    const r = get('production');
    expect(r.find('HorizontalPodAutoscaler').map((h) => h.metadata.name).sort()).toEqual(['cairn', 'cairn-auth']);
    for (const d of r.find('Deployment')) expect((d as unknown as { spec: { replicas?: number } }).spec.replicas).toBeUndefined();
    const remotes = only(r.find('ConfigMap', 'cairn-remotes'), 'remotes ConfigMap') as KubeObject & { data: Record<string, string> };
    expect(JSON.parse(remotes.data['remotes.json'] as string)).toEqual([
      { name: 'team-costs', remoteEntry: 'https://costs.example.net/remoteEntry.json', exposedModule: './routes', route: 'costs', label: 'Costs', icon: 'generic' },
    ]);
    const gateway = only(r.containers('gateway'), 'gateway');
    expect(envOf(gateway)['CAIRN_REMOTES_FILE']?.value).toBe('/etc/cairn/remotes/remotes.json');
    expect(envOf(gateway)['KUBECONFIG']?.value).toBe('/etc/cairn/kubeconfig/kubeconfig');
    expect(gateway.args).toEqual(['--in-cluster-context-name=main', '--user-request-rate=40']);
    expect(gateway.volumeMounts?.map((m) => m.mountPath)).toEqual(['/etc/cairn/remotes', '/etc/cairn/kubeconfig', '/scratch']);
    const auth = envOf(only(r.containers('auth-service'), 'auth-service'));
    expect(auth['CAIRN_AUTH_CONFIG_FILE']?.value).toBe('/etc/cairn/auth/config.yaml');
    expect(auth['CAIRN_SESSION_KEY']?.valueFrom?.secretKeyRef?.name).toBe('cairn-session');
    expect(r.find('Secret', 'cairn-session')).toHaveLength(0);
    const gatewayPod = r.podSpecs().find((p) => p.owner.metadata.name === 'cairn')?.spec;
    expect(gatewayPod?.initContainers?.map((c) => c.name)).toEqual(['wait-a-moment']);
    expect((only(r.find('Deployment', 'cairn'), 'gateway Deployment') as unknown as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations['checksum/config']).toMatch(/^[a-f0-9]{64}$/);
  });

  it('every pod passes the restricted Pod Security Standard, and every container has requests and limits', () => {
    for (const [name, r] of rendered) {
      for (const { owner, spec } of r.podSpecs()) {
        const where = `${name}: ${owner.kind} ${owner.metadata.name}`;
        expect({ where, ...pick(spec.securityContext, ['runAsNonRoot', 'seccompProfile']) }).toEqual({ where, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(spec.securityContext?.['runAsUser']).not.toBe(0);
        for (const volume of spec.volumes ?? []) {
          expect({ where, volume: Object.keys(volume).filter((k) => k !== 'name') }).toEqual({ where, volume: [expect.stringMatching(/^(configMap|secret|projected|emptyDir|downwardAPI|ephemeral|csi|persistentVolumeClaim)$/)] });
        }
        for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
          const sc = c.securityContext ?? {};
          expect({ where, container: c.name, ...pick(sc, ['allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'capabilities']) }).toEqual({
            where,
            container: c.name,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          });
          expect(sc['privileged']).not.toBe(true);
          expect(sc['runAsUser']).not.toBe(0);
          if (owner.kind === 'Deployment' && spec.containers.includes(c)) {
            expect({ where, container: c.name, requests: Object.keys(c.resources?.requests ?? {}).sort(), limits: Object.keys(c.resources?.limits ?? {}).sort() }).toEqual({ where, container: c.name, requests: ['cpu', 'memory'], limits: ['cpu', 'memory'] });
          }
        }
      }
    }
  });
});

function pick(from: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, from?.[k]]));
}

describe('impersonation mode (config.impersonation)', () => {
  const impersonateRules = (r: Rendered) =>
    r.find('ClusterRole').filter((role) => JSON.stringify((role as { rules?: unknown }).rules ?? []).includes('impersonate'));

  it('off by default: no role may impersonate and the gateway gets no CAIRN_IMPERSONATE_* setting, in every other example', async () => {
    for (const e of examples.filter((x) => x.name !== 'impersonation')) {
      const r = await render({ values: [e.file] });
      expect({ example: e.name, roles: impersonateRules(r).map((x) => x.metadata.name) }).toEqual({ example: e.name, roles: [] });
      for (const c of [...r.containers('gateway'), ...r.containers('console')]) expect(Object.keys(envOf(c)).filter((n) => n.startsWith('CAIRN_IMPERSONATE'))).toEqual([]);
    }
  });

  it('on: one ClusterRole allowing only `impersonate` on users and groups, bound to the chart\u2019s ServiceAccount alone, and the settings for the in-cluster cluster', async () => {
    const file = examples.find((e) => e.name === 'impersonation')?.file as string;
    for (const allInOne of [false, true]) {
      const r = await render({ values: [file], set: [`allInOne=${allInOne}`], namespace: 'ops' });
      const role = only(impersonateRules(r), 'impersonating ClusterRole');
      expect((role as { rules?: unknown }).rules).toEqual([{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }]);
      const binding = only(r.find('ClusterRoleBinding').filter((b) => (b as { roleRef?: { name?: string } }).roleRef?.name === role.metadata.name), 'binding of it');
      const serviceAccount = only(r.find('ServiceAccount'), 'ServiceAccount');
      expect((binding as { subjects?: unknown }).subjects).toEqual([{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: 'ops' }]);
      const container = only(r.containers(allInOne ? 'console' : 'gateway'), 'gateway container');
      const env = envOf(container);
      expect(Object.fromEntries(Object.entries(env).filter(([n]) => n.startsWith('CAIRN_IMPERSONATE')).map(([n, e]) => [n, e.value]))).toEqual({
        CAIRN_IMPERSONATE_CLUSTERS: 'main',
        CAIRN_IMPERSONATE_USERNAME_CLAIM: 'email',
        CAIRN_IMPERSONATE_USERNAME_PREFIX: 'oidc:',
        CAIRN_IMPERSONATE_GROUPS_CLAIM: 'groups',
        CAIRN_IMPERSONATE_GROUPS_PREFIX: 'oidc:',
      });
    }
  });

  it('contexts of the kubeconfig Secret join the in-cluster one, and render no RBAC of theirs', async () => {
    const r = await render({ values: [valuesFile({ config: { kubeconfigSecret: 'more-clusters', oidc: { issuerURL: 'https://login.example.net', clientID: 'c', clientSecret: 's' }, impersonation: { kubeconfigClusters: ['prod-eu', 'prod-us'] } } })] });
    expect(envOf(only(r.containers('gateway'), 'gateway'))['CAIRN_IMPERSONATE_CLUSTERS']?.value).toBe('prod-eu,prod-us');
    expect(impersonateRules(r)).toEqual([]);
  });

  it.each([
    ['without the in-cluster cluster', { config: { inCluster: false, oidc: { issuerURL: 'https://l.example.net', clientID: 'c', clientSecret: 's' }, impersonation: { enabled: true } } }, 'config.impersonation.enabled reaches the in-cluster cluster by impersonation, and needs config.inCluster=true'],
    ['without OpenID sign-in', { config: { impersonation: { enabled: true } } }, 'config.impersonation acts only for people signed in through the OpenID provider'],
    ['kubeconfig contexts without a kubeconfig Secret', { config: { oidc: { issuerURL: 'https://l.example.net', clientID: 'c', clientSecret: 's' }, impersonation: { kubeconfigClusters: ['prod'] } } }, 'config.impersonation.kubeconfigClusters names contexts of config.kubeconfigSecret'],
    ['a system: prefix', { config: { oidc: { issuerURL: 'https://l.example.net', clientID: 'c', clientSecret: 's' }, impersonation: { enabled: true, groupsPrefix: 'system:' } } }, 'must not start with system:'],
    ['a misspelt key', { config: { impersonation: { enable: true } } }, "additional properties 'enable' not allowed"],
  ])('refused %s, naming the value', async (_what, values, message) => {
    const result = await tryRender({ values: [valuesFile(values)] });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});

describe('namespace discovery (config.namespaceDiscovery)', () => {
  it('labelled and groups: the gateway gets every setting, and its ServiceAccount may list namespaces and nothing else', async () => {
    const r = await render({ values: [valuesFile({ config: { namespaceDiscovery: { methods: ['labelled', 'groups'], groups: { 'tenant-owners': ['tenant-1', 'tenant-2'] }, maxCandidates: 20 } } })] });
    const env = envOf(only(r.containers('gateway'), 'gateway'));
    expect(env['CAIRN_NAMESPACE_DISCOVERY']?.value).toBe('labelled,groups');
    expect(env['CAIRN_NAMESPACE_DISCOVERY_LABEL']?.value).toBe('cairn.io/tenant-visible=true');
    expect(JSON.parse(env['CAIRN_NAMESPACE_DISCOVERY_GROUPS']?.value ?? '')).toEqual({ 'tenant-owners': ['tenant-1', 'tenant-2'] });
    expect(env['CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES']?.value).toBe('20');
    const role = only(r.find('ClusterRole'), 'ClusterRole') as KubeObject & { rules: unknown[] };
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }]);
    const binding = only(r.find('ClusterRoleBinding', role.metadata.name), 'ClusterRoleBinding') as KubeObject & { subjects: unknown[] };
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'cairn', namespace: 'cairn' }]);
  });

  it('groups only, or off: no cluster-wide role for the gateway', async () => {
    for (const values of [{ config: { namespaceDiscovery: { methods: ['groups'], groups: { devs: ['team-a'] } } } }, {}]) {
      const r = await render({ values: [valuesFile(values)] });
      expect(r.find('ClusterRole')).toEqual([]);
      expect(Boolean(envOf(only(r.containers('gateway'), 'gateway'))['CAIRN_NAMESPACE_DISCOVERY'])).toBe('config' in values);
    }
  });
});

describe('values the chart refuses, by name', () => {
  it.each([
    ['extraVolumes at the root (seed 003)', { extraVolumes: [{ name: 'home', emptyDir: {} }] }, "additional properties 'extraVolumes' not allowed"],
    ['extraVolumeMounts at the root (seed 003)', { extraVolumeMounts: [{ name: 'home', mountPath: '/home/cairn' }] }, "additional properties 'extraVolumeMounts' not allowed"],
    ['a misspelt nested key', { config: { oidc: { secret: { create: false, nmae: 'x' } } } }, "additional properties 'nmae' not allowed"],
    ['pod-level fields in a container securityContext (seed 002)', { securityContext: { runAsUser: 100, fsGroup: 101, fsGroupChangePolicy: 'Always' } }, "at '/securityContext': additional properties"],
    ['an unknown field inside a volume', { volumes: [{ name: 'x', emptyDir: { sizeLimt: '1Mi' } }] }, "additional properties 'sizeLimt' not allowed"],
    ['an unknown field inside an env var', { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k', optinal: true } } }] }, "additional properties 'optinal' not allowed"],
    ['a string replica count', { replicaCount: 'two' }, "at '/replicaCount': got string, want integer"],
    ['a string boolean', { allInOne: 'enabled' }, "at '/allInOne': got string, want boolean"],
    ['an unknown log level', { config: { logLevel: 'info' } }, "at '/config/logLevel'"],
    ['a remote without its route', { config: { remotes: [{ name: 'a', remoteEntry: 'https://a.example/remoteEntry.json', exposedModule: './routes', label: 'A' }] } }, "missing property 'route'"],
    ['a flag that is not a flag', { config: { extraArgs: ['-insecure-ssl'] } }, "at '/config/extraArgs/0'"],
    ['an image tag with a space', { image: { tag: 'v1 beta' } }, "at '/image/tag'"],
    ['a heap percentage over 100', { config: { heapPercentage: 150 } }, "at '/config/heapPercentage'"],
    ['a replica count under console (it is the top-level replicaCount)', { console: { replicaCount: 2 } }, "additional properties 'replicaCount' not allowed"],
    ['a namespace discovery method misspelt', { config: { namespaceDiscovery: { methods: ['labeled'] } } }, "at '/config/namespaceDiscovery/methods/0'"],
    ['a namespace discovery group given one namespace, not a list', { config: { namespaceDiscovery: { methods: ['groups'], groups: { devs: 'team-a' } } } }, "at '/config/namespaceDiscovery/groups/devs'"],
    ['more namespace discovery candidates than the gateway takes', { config: { namespaceDiscovery: { methods: ['labelled'], maxCandidates: 501 } } }, "at '/config/namespaceDiscovery/maxCandidates'"],
  ])('%s', async (_what, values, message) => {
    const result = await tryRender({ values: [valuesFile(values)] });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it.each([
    ['an OIDC issuer without its client', { config: { oidc: { issuerURL: 'https://login.example.net' } } }, 'config.oidc.clientID and config.oidc.clientSecret are required'],
    ['an existing OIDC Secret without its name', { config: { oidc: { secret: { create: false } } } }, 'config.oidc.secret.name is required'],
    ['a client secret in the values beside an existing Secret', { config: { oidc: { clientSecret: 's', secret: { create: false, name: 'x' } } } }, 'config.oidc.clientSecret must stay in the Secret'],
    ['a plain-HTTP public URL', { config: { publicUrl: 'http://cairn.example.net' } }, 'config.publicUrl http://cairn.example.net is plain HTTP'],
    ['insecure cookies off localhost', { config: { publicUrl: 'https://cairn.example.net', insecureCookies: true } }, 'config.insecureCookies is only for a console on plain-HTTP localhost'],
    [
      'the OIDC env of seed 001 added by hand beside the Secret',
      { config: { oidc: { secret: { create: false, name: 'headlamp-oidc' } } }, auth: { env: [{ name: 'OIDC_CLIENT_ID', valueFrom: { secretKeyRef: { name: 'headlamp-oidc', key: 'clientID' } } }] } },
      'env: OIDC_CLIENT_ID is already set by the chart for the auth-service container',
    ],
    ['an env var the chart sets', { env: [{ name: 'CAIRN_PORT', value: '8080' }] }, 'env: CAIRN_PORT is already set by the chart for the gateway container'],
    ['NODE_OPTIONS by hand beside config.heapPercentage', { env: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=200' }] }, 'env: NODE_OPTIONS is already set by the chart for the gateway container'],
    ['all-in-one: an auth-service setting in `env`, where the console already has it', { allInOne: true, config: { oidc: { issuerURL: 'https://login.example.net', clientID: 'c', clientSecret: 's' } }, env: [{ name: 'OIDC_CLIENT_ID', value: 'other' }] }, 'env: OIDC_CLIENT_ID is already set by the chart for the console container'],
    ['all-in-one: a gateway setting in `auth.env`', { allInOne: true, auth: { env: [{ name: 'CAIRN_PORT', value: '8080' }] } }, 'env: CAIRN_PORT is already set by the chart for the console container'],
  ])('%s', async (_what, values, message) => {
    const result = await tryRender({ values: [valuesFile(values)] });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});

describe('values the seeds use, accepted', () => {
  it("seed 002's volumes, volumeMounts, initContainers, env and podSecurityContext, and a container securityContext without pod-level fields", async () => {
    const r = await render({
      values: [
        valuesFile({
          env: [{ name: 'CAIRN_INSECURE_SKIP_TLS_VERIFY', value: 'false' }],
          volumeMounts: [{ name: 'ca-store', mountPath: '/etc/ssl/' }],
          volumes: [
            { name: 'ca-store', emptyDir: {} },
            { name: 'capsule-proxy', secret: { secretName: 'capsule-proxy' } },
            {
              name: 'token-ca',
              projected: {
                sources: [
                  { serviceAccountToken: { path: 'token' } },
                  { secret: { name: 'capsule-proxy', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                  { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
                ],
              },
            },
          ],
          initContainers: [
            {
              name: 'add-ca',
              image: 'alpine:3',
              command: ['/bin/sh', '-c'],
              args: ['cp -R /etc/ssl/* /work/'],
              volumeMounts: [{ name: 'ca-store', mountPath: '/work' }],
              securityContext: { capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, runAsUser: 65534, runAsGroup: 65534 },
            },
          ],
          podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          securityContext: { capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, runAsUser: 100, runAsGroup: 101 },
        }),
      ],
    });
    const gatewayPod = r.podSpecs().find((p) => p.owner.metadata.name === 'cairn')?.spec;
    expect(gatewayPod?.volumes?.map((v) => v.name)).toEqual(['ca-store', 'capsule-proxy', 'token-ca']);
    expect(gatewayPod?.initContainers?.map((c) => c.name)).toEqual(['add-ca']);
    expect(only(r.containers('gateway'), 'gateway').volumeMounts).toEqual([{ name: 'ca-store', mountPath: '/etc/ssl/' }]);
    expect(only(r.containers('gateway'), 'gateway').securityContext?.['runAsUser']).toBe(100);
  });

  it("seed 001's values (replicaCount, config.oidc.secret, clusterRoleBinding, ingress, resources) without its hand-written env", async () => {
    const r = await render({
      values: [
        valuesFile({
          replicaCount: 1,
          config: { oidc: { secret: { create: false, name: 'headlamp-oidc' } } },
          clusterRoleBinding: { create: false },
          ingress: { enabled: true, ingressClassName: 'nginx', hosts: [{ host: 'headlamp.replace.me', paths: [{ path: '/', pathType: 'Prefix' }] }], tls: [{ hosts: ['headlamp.replace.me'] }] },
          resources: { limits: { cpu: '100m', memory: '128Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
        }),
      ],
    });
    const auth = envOf(only(r.containers('auth-service'), 'auth-service'));
    for (const [env, key] of [['OIDC_ISSUER_URL', 'issuerURL'], ['OIDC_CLIENT_ID', 'clientID'], ['OIDC_CLIENT_SECRET', 'clientSecret'], ['OIDC_SCOPES', 'scopes']] as const) {
      expect(auth[env]?.valueFrom?.secretKeyRef).toMatchObject({ name: 'headlamp-oidc', key });
    }
    expect(auth['OIDC_CALLBACK_URL']?.value).toBe('/oidc-callback');
  });

  it('an image digest wins over the tag, and the registry may be left out', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const r = await render({ set: [`image.digest=${digest}`, 'image.registry=', 'image.repository=registry.local/cairn/gateway'] });
    expect(only(r.containers('gateway'), 'gateway').image).toBe(`registry.local/cairn/gateway@${digest}`);
  });
});
