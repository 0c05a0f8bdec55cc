import { DEV_IMPERSONATOR, DEV_SERVICE_ACCOUNT, DEV_USERS } from './users';
import type { KubeObject } from './kube-api';
import { DEV_DISCOVERY_LABEL, DEV_GATEWAY_SERVICE_ACCOUNT } from './gateway-service-account';
import { RESOURCE_METRICS_PATH_ANNOTATION, resourceMetricsPath } from './metrics-server';

/**
 * What a new development cluster holds: namespaces, RBAC for the dev users, and
 * workloads in every state a console must show (healthy, scaled, crash-looping, pending,
 * completed, failed).
 */

export const SEED_LABEL = 'cairn.test/seed';
/** Pods with this label crash-loop (a kwok stage of ours, see stages.ts). */
export const CRASH_LOOP_LABEL = 'cairn.test/crash-loop';
/** Pods with this label fail once running (kwok's own chaos stage). */
const FAIL_LABEL = 'pod-container-running-failed.stage.kwok.x-k8s.io';

/** `pod-states` holds pods frozen in the states real clusters show (see pod-states.ts). */
export const SEED_NAMESPACES = ['team-a', 'team-b', 'tenant-1', 'tenant-2', 'monitoring', 'pod-states'] as const;

/** A container of the seed; `more` is the rest of its spec (probes, env, mounts…) as the API takes it. */
type Container = { name: string; image: string; ports?: number[]; more?: Record<string, unknown> };

function meta(namespace: string | undefined, name: string, labels: Record<string, string> = {}) {
  return { name, ...(namespace ? { namespace } : {}), labels: { [SEED_LABEL]: 'true', ...labels } };
}

function podSpec(containers: Container[], extra: Record<string, unknown> = {}) {
  return {
    containers: containers.map((c) => ({
      name: c.name,
      image: c.image,
      ...(c.ports ? { ports: c.ports.map((containerPort) => ({ containerPort })) } : {}),
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
      ...c.more,
    })),
    ...extra,
  };
}

function deployment(
  namespace: string,
  name: string,
  replicas: number,
  containers: Container[],
  options: { podLabels?: Record<string, string>; podSpec?: Record<string, unknown> } = {},
): KubeObject {
  const selector = { 'app.kubernetes.io/name': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(namespace, name, selector),
    spec: {
      replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, ...options.podLabels } },
        spec: podSpec(containers, options.podSpec),
      },
    },
  };
}

function service(namespace: string, name: string, port: number, headless = false): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(namespace, name),
    spec: {
      ...(headless ? { clusterIP: 'None' } : {}),
      selector: { 'app.kubernetes.io/name': name },
      ports: [{ name: 'main', port, targetPort: port }],
    },
  };
}

function configMap(namespace: string, name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(namespace, name), data };
}

function secret(namespace: string, name: string, stringData: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: meta(namespace, name), type: 'Opaque', stringData };
}

function registryAuthSecret(namespace: string, name: string): KubeObject {
  const data = {
    '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from('robot:not-a-real-token').toString('base64') } } })).toString('base64'),
    'ca.der': Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x00, 0xff]).toString('base64'),
    'empty-on-purpose': '',
  };
  const applied = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'kubernetes.io/dockerconfigjson', data };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { ...meta(namespace, name), annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(applied) } },
    type: 'kubernetes.io/dockerconfigjson',
    data,
  };
}

function job(namespace: string, name: string, container: Container, podLabels: Record<string, string> = {}, backoffLimit = 2): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(namespace, name),
    spec: {
      backoffLimit,
      template: { metadata: { labels: podLabels }, spec: podSpec([container], { restartPolicy: 'Never' }) },
    },
  };
}

/** A RoleBinding in `namespace`, or a ClusterRoleBinding when `namespace` is undefined. */
function binding(namespace: string | undefined, name: string, clusterRole: string, subject: Record<string, string>): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: namespace ? 'RoleBinding' : 'ClusterRoleBinding',
    metadata: meta(namespace, name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
    subjects: [subject],
  };
}

/** A ClusterRole that reads the kinds people look at first with only `verbs` (bound per namespace). */
function readerRole(name: string, verbs: string[]): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: meta(undefined, name),
    rules: [
      { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'events'], verbs },
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], verbs },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs },
    ],
  };
}

const user = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });
const group = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });

/** The namespaces carrying DEV_DISCOVERY_LABEL. */
export const DISCOVERABLE_NAMESPACES: readonly string[] = ['tenant-1', 'tenant-2', 'team-b'];

export function seedNamespaces(): KubeObject[] {
  return SEED_NAMESPACES.map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(undefined, name, {
      ...(name.startsWith('tenant-') ? { 'cairn.test/tenant': 'tina' } : {}),
      // Namespace discovery by label: tina's two, and team-b, where she has no rights (it must never reach her).
      ...(DISCOVERABLE_NAMESPACES.includes(name) ? { [DEV_DISCOVERY_LABEL.key]: DEV_DISCOVERY_LABEL.value } : {}),
    }),
  }));
}

export function seedRbac(): KubeObject[] {
  const sa = DEV_SERVICE_ACCOUNT;
  return [
    binding(undefined, 'cairn-admins', 'cluster-admin', group(DEV_USERS.admin.groups[0] ?? 'cairn-admins')),
    binding('team-a', 'alice-edit', 'edit', user(DEV_USERS.alice.email)),
    binding(undefined, 'victor-view', 'view', user(DEV_USERS.victor.email)),
    binding('tenant-1', 'tina-admin', 'admin', user(DEV_USERS.tina.email)),
    binding('tenant-2', 'tina-admin', 'admin', user(DEV_USERS.tina.email)),
    // RBAC shapes people are given in real clusters: get without list, list without watch.
    readerRole('cairn-dev-get-only', ['get']),
    binding('team-a', 'gus-get-only', 'cairn-dev-get-only', user(DEV_USERS.gus.email)),
    readerRole('cairn-dev-list-no-watch', ['get', 'list']),
    binding('team-a', 'lola-list-no-watch', 'cairn-dev-list-no-watch', user(DEV_USERS.lola.email)),
    // The built-in `edit` role may not add ephemeral containers (kubectl debug); teams grant it apart, as here for alice.
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(undefined, 'cairn-dev-pod-debugger'),
      rules: [{ apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['get', 'patch', 'update'] }],
    },
    binding('team-a', 'alice-pod-debugger', 'cairn-dev-pod-debugger', user(DEV_USERS.alice.email)),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(sa.namespace, sa.name) },
    binding(sa.namespace, `${sa.name}-edit`, 'edit', { kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace }),
    // A console reaching this cluster by impersonation (cairn-dev-impersonated): may act as any user and group, nothing more.
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(undefined, 'cairn-dev-impersonator'),
      rules: [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }],
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(DEV_IMPERSONATOR.namespace, DEV_IMPERSONATOR.name) },
    binding(undefined, 'cairn-dev-impersonator', 'cairn-dev-impersonator', { kind: 'ServiceAccount', name: DEV_IMPERSONATOR.name, namespace: DEV_IMPERSONATOR.namespace }),
    // The console's own ServiceAccount, as the chart grants it for namespace discovery by label: list namespaces only.
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(DEV_GATEWAY_SERVICE_ACCOUNT.namespace, DEV_GATEWAY_SERVICE_ACCOUNT.name) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(undefined, DEV_GATEWAY_SERVICE_ACCOUNT.clusterRole),
      rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }],
    },
    binding(undefined, DEV_GATEWAY_SERVICE_ACCOUNT.clusterRole, DEV_GATEWAY_SERVICE_ACCOUNT.clusterRole, { kind: 'ServiceAccount', name: DEV_GATEWAY_SERVICE_ACCOUNT.name, namespace: DEV_GATEWAY_SERVICE_ACCOUNT.namespace }),
  ];
}

export function seedWorkloads(): KubeObject[] {
  return [
    // team-a: a web app with two replicas and a sidecar, its database, a crash-looping worker.
    // Its pod spec has what a detail page must show (as `kubectl describe pod` does): every probe
    // kind, named and host ports, env from literals, ConfigMap and Secret keys, the downward API
    // and resources, envFrom, and mounts of a ConfigMap, a Secret, an emptyDir and a projected volume.
    deployment('team-a', 'web', 2, [
      {
        name: 'web',
        image: 'nginx:1.27',
        more: {
          ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9113, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'LOG_LEVEL' } } },
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'MEMORY_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
            { name: 'GREETING', value: 'hello' },
          ],
          envFrom: [{ configMapRef: { name: 'web-config' }, prefix: 'CFG_' }],
          volumeMounts: [
            { name: 'config', mountPath: '/etc/nginx/conf.d', readOnly: true },
            { name: 'credentials', mountPath: '/run/secrets/db', readOnly: true },
            { name: 'cache', mountPath: '/var/cache/nginx' },
          ],
          livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 20 },
          readinessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 2 },
          startupProbe: { exec: { command: ['cat', '/tmp/started'] }, failureThreshold: 30 },
        },
      },
      { name: 'log-shipper', image: 'fluent/fluent-bit:3.2', more: { livenessProbe: { grpc: { port: 2020 } } } },
    ], {
      podSpec: {
        volumes: [
          { name: 'config', configMap: { name: 'web-config' } },
          { name: 'credentials', secret: { secretName: 'db-credentials' } },
          { name: 'cache', emptyDir: { sizeLimit: '1Gi' } },
        ],
      },
    }),
    service('team-a', 'web', 8080),
    configMap('team-a', 'web-config', { 'nginx.conf': 'server { listen 8080; location / { root /srv; } }\n', LOG_LEVEL: 'info' }),
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('team-a', 'db', { 'app.kubernetes.io/name': 'db' }),
      spec: {
        serviceName: 'db',
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'db' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'db' } },
          spec: podSpec([{ name: 'postgres', image: 'postgres:17', ports: [5432] }]),
        },
      },
    },
    service('team-a', 'db', 5432, true),
    secret('team-a', 'db-credentials', { username: 'app', password: 'not-a-real-password' }),
    // As `kubectl apply` leaves a Secret: its values a second time, in clear, in the last-applied
    // annotation; binary data; and an empty value. A view must hide all of it, and an edit keep all of it.
    registryAuthSecret('team-a', 'registry-auth'),
    deployment('team-a', 'queue-worker', 1, [{ name: 'worker', image: 'ghcr.io/cairn-test/worker:2.3.1' }], {
      podLabels: { [CRASH_LOOP_LABEL]: 'true' },
    }),
    job('team-a', 'migrate-schema', { name: 'migrate', image: 'ghcr.io/cairn-test/migrate:1.0.0' }),
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('team-a', 'nightly-report'),
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: { template: { spec: podSpec([{ name: 'report', image: 'ghcr.io/cairn-test/report:1.4.0' }], { restartPolicy: 'OnFailure' }) } },
        },
      },
    },
    // For the resource map: an Ingress in front of web, and a report server that mounts a claim
    // (bound to its own hostPath PersistentVolume, so the pod schedules) and web's ConfigMap.
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('team-a', 'web'),
      spec: { rules: [{ host: 'web.team-a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } }] } }] },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: meta(undefined, 'team-a-reports'),
      spec: {
        capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: '/tmp/cairn-team-a-reports' }, claimRef: { namespace: 'team-a', name: 'reports' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta('team-a', 'reports'),
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', volumeName: 'team-a-reports', resources: { requests: { storage: '1Gi' } } },
    },
    deployment('team-a', 'reports', 1, [{ name: 'reports', image: 'ghcr.io/cairn-test/reports:1.0.0', ports: [8080], more: { volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'config', mountPath: '/etc/reports', readOnly: true }] } }], {
      podSpec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'reports' } }, { name: 'config', configMap: { name: 'web-config' } }] },
    }),

    // team-b: an API and a trainer no node can take (Pending, with the scheduler's warnings).
    deployment('team-b', 'api', 1, [{ name: 'api', image: 'ghcr.io/cairn-test/api:5.0.2', ports: [9000] }]),
    service('team-b', 'api', 9000),
    configMap('team-b', 'api-config', { FEATURE_FLAGS: 'search,export' }),
    secret('team-b', 'api-token', { token: 'not-a-real-token' }),
    deployment('team-b', 'gpu-trainer', 1, [{ name: 'trainer', image: 'ghcr.io/cairn-test/trainer:0.9.0' }], {
      podSpec: { nodeSelector: { 'cairn.test/accelerator': 'gpu' } },
    }),

    // monitoring: one agent per node.
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('monitoring', 'node-exporter', { 'app.kubernetes.io/name': 'node-exporter' }),
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'node-exporter' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'node-exporter' } },
          spec: podSpec([{ name: 'exporter', image: 'prom/node-exporter:v1.9.1', ports: [9100] }]),
        },
      },
    },

    // The tenant's namespaces.
    deployment('tenant-1', 'shop', 1, [{ name: 'shop', image: 'ghcr.io/cairn-test/shop:3.1.0', ports: [8080] }]),
    service('tenant-1', 'shop', 8080),
    configMap('tenant-1', 'shop-config', { CURRENCY: 'EUR' }),
    secret('tenant-1', 'shop-payment-key', { key: 'not-a-real-key' }),
    deployment('tenant-2', 'blog', 1, [{ name: 'blog', image: 'ghcr.io/cairn-test/blog:1.2.0', ports: [8080] }]),
    service('tenant-2', 'blog', 8080),
    configMap('tenant-2', 'blog-config', { TITLE: 'Tenant two' }),
    job('tenant-2', 'backup', { name: 'backup', image: 'ghcr.io/cairn-test/backup:1.0.0' }, { [FAIL_LABEL]: 'true' }, 1),
  ];
}

/** Fake nodes that kwok brings to Ready; capacity as a kubelet would report it. */
export function seedNodes(count: number, podsPerNode: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `kwok-node-${i + 1}`;
    const capacity = { cpu: '16', memory: '64Gi', pods: String(podsPerNode), 'ephemeral-storage': '200Gi' };
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          [SEED_LABEL]: 'true',
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node-role.kubernetes.io/worker': '',
          'node.kubernetes.io/instance-type': 'kwok.16c64g',
        },
        // The second: where metrics-server reads this node's (kwok-emulated) /metrics/resource.
        annotations: { 'kwok.x-k8s.io/node': 'fake', [RESOURCE_METRICS_PATH_ANNOTATION]: resourceMetricsPath(name) },
      },
      spec: {},
      status: { capacity, allocatable: capacity, nodeInfo: { kubeletVersion: 'fake', architecture: 'amd64', operatingSystem: 'linux' } },
    };
  });
}
