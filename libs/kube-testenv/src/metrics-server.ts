import { stringify } from 'yaml';
import type { KubeObject } from './kube-api';

/**
 * metrics-server in the dev cluster, and the kwok configuration it scrapes.
 *
 * How a `kubectl top` request travels here (all on 127.0.0.1):
 * kubectl -> kube-apiserver's aggregation layer (APIService `v1beta1.metrics.k8s.io`, Service
 * `kube-system/metrics-server` of type ExternalName `localhost`, which the aggregator resolves
 * to that host and the APIService's port; client certificate `front-proxy-client` with the
 * caller in `X-Remote-User`/`X-Remote-Group`) -> metrics-server -> every 10 s it reads each
 * node's `/metrics/resource` from kwok's server at the node's InternalIP 127.0.0.1 and
 * status port, on the path the node annotation `metrics.k8s.io/resource-metrics-path`
 * names (metrics-server's own annotation; kwok serves one path per node) -> kwok computes the
 * numbers from the ClusterResourceUsage below.
 */

/** The node annotation metrics-server reads for the scrape path (pkg/scraper/client/resource, AnnotationResourceMetricsPath). */
export const RESOURCE_METRICS_PATH_ANNOTATION = 'metrics.k8s.io/resource-metrics-path';

/** kwok's per-node path of the emulated kubelet `/metrics/resource` (`{nodeName}` is kwok's path parameter). */
export function resourceMetricsPath(nodeName: string): string {
  return `/metrics/nodes/${nodeName}/metrics/resource`;
}

/** Pod annotations that set the emulated usage of each of the pod's containers (kwok's convention). */
export const USAGE_CPU_ANNOTATION = 'kwok.x-k8s.io/usage-cpu';
export const USAGE_MEMORY_ANNOTATION = 'kwok.x-k8s.io/usage-memory';

/**
 * kwok `Metric`: the kubelet's `/metrics/resource` series metrics-server decodes
 * (`node_cpu_usage_seconds_total`, `node_memory_working_set_bytes`,
 * `container_cpu_usage_seconds_total`, `container_memory_working_set_bytes`,
 * `container_start_time_seconds`, `scrape_error`), computed by kwok from the resource usage.
 */
export function resourceMetricsConfig(): string {
  const containerLabels = [
    { name: 'container', value: 'container.name' },
    { name: 'namespace', value: 'pod.metadata.namespace' },
    { name: 'pod', value: 'pod.metadata.name' },
  ];
  const series = [
    { name: 'scrape_error', dimension: 'node', kind: 'gauge', help: '1 if there was an error while getting container metrics, 0 otherwise', value: '0' },
    { name: 'node_cpu_usage_seconds_total', dimension: 'node', kind: 'counter', help: 'Cumulative cpu time consumed by the node in core-seconds', value: 'node.CumulativeUsage("cpu")' },
    { name: 'node_memory_working_set_bytes', dimension: 'node', kind: 'gauge', help: 'Current working set of the node in bytes', value: 'node.Usage("memory")' },
    { name: 'container_start_time_seconds', dimension: 'container', kind: 'gauge', help: 'Start time of the container since unix epoch in seconds', labels: containerLabels, value: 'pod.SinceSecond()' },
    { name: 'container_cpu_usage_seconds_total', dimension: 'container', kind: 'counter', help: 'Cumulative cpu time consumed by the container in core-seconds', labels: containerLabels, value: 'pod.CumulativeUsage("cpu", container.name)' },
    { name: 'container_memory_working_set_bytes', dimension: 'container', kind: 'gauge', help: 'Current working set of the container in bytes', labels: containerLabels, value: 'pod.Usage("memory", container.name)' },
  ];
  return stringify({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Metric',
    metadata: { name: 'cairn-metrics-resource' },
    spec: { path: resourceMetricsPath('{nodeName}'), metrics: series },
  });
}

/**
 * kwok `ClusterResourceUsage`: each container of every pod kwok runs uses the CPU and memory
 * its pod's `kwok.x-k8s.io/usage-cpu` / `-memory` annotations give, otherwise 2m and 8Mi.
 */
export function resourceUsageConfig(): string {
  const fromAnnotation = (annotation: string, fallback: string) =>
    `"${annotation}" in pod.metadata.annotations ? Quantity(pod.metadata.annotations["${annotation}"]) : Quantity("${fallback}")`;
  return stringify({
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterResourceUsage',
    metadata: { name: 'cairn-usage' },
    spec: {
      usages: [
        {
          usage: {
            cpu: { expression: fromAnnotation(USAGE_CPU_ANNOTATION, '2m') },
            memory: { expression: fromAnnotation(USAGE_MEMORY_ANNOTATION, '8Mi') },
          },
        },
      ],
    },
  });
}

/** The user metrics-server authenticates as (its client certificate's CN). */
export const METRICS_SERVER_USER = 'system:metrics-server';
export const METRICS_SERVER_NAMESPACE = 'kube-system';
export const METRICS_SERVER_SERVICE = 'metrics-server';

/**
 * What the API server needs to serve `metrics.k8s.io` through metrics-server, as metrics-server's
 * own manifests set it up (RBAC for its identity, the aggregated read role every `view`,
 * `edit` and `admin` binding gets, the APIService), with an ExternalName Service in place of
 * a Deployment's Service: the process runs on this machine, on `port`.
 */
export function metricsServerObjects(port: number, caBundlePem: string): KubeObject[] {
  const rbac = 'rbac.authorization.k8s.io';
  return [
    {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRole',
      metadata: { name: 'system:metrics-server' },
      rules: [
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRole',
      metadata: {
        name: 'system:aggregated-metrics-reader',
        labels: {
          'rbac.authorization.k8s.io/aggregate-to-view': 'true',
          'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
          'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
        },
      },
      rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:metrics-server' },
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'system:metrics-server' },
      subjects: [{ apiGroup: rbac, kind: 'User', name: METRICS_SERVER_USER }],
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'metrics-server:system:auth-delegator' },
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ apiGroup: rbac, kind: 'User', name: METRICS_SERVER_USER }],
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: 'RoleBinding',
      metadata: { name: 'metrics-server-auth-reader', namespace: METRICS_SERVER_NAMESPACE },
      roleRef: { apiGroup: rbac, kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      subjects: [{ apiGroup: rbac, kind: 'User', name: METRICS_SERVER_USER }],
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: METRICS_SERVER_SERVICE, namespace: METRICS_SERVER_NAMESPACE, labels: { 'k8s-app': 'metrics-server' } },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io', labels: { 'k8s-app': 'metrics-server' } },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        groupPriorityMinimum: 100,
        versionPriority: 100,
        service: { name: METRICS_SERVER_SERVICE, namespace: METRICS_SERVER_NAMESPACE, port },
        caBundle: Buffer.from(caBundlePem).toString('base64'),
      },
    },
  ];
}

/** metrics-server's flags: its identity, loopback serving, and kwok's nodes as kubelets (TLS checked against the cluster CA). */
export function metricsServerFlags(options: { port: number; kubeconfig: string; tlsCert: string; tlsKey: string; caFile: string; resolutionSeconds: number }): string[] {
  return [
    `--kubeconfig=${options.kubeconfig}`,
    `--authentication-kubeconfig=${options.kubeconfig}`,
    `--authorization-kubeconfig=${options.kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${options.port}`,
    `--tls-cert-file=${options.tlsCert}`,
    `--tls-private-key-file=${options.tlsKey}`,
    `--kubelet-certificate-authority=${options.caFile}`,
    '--kubelet-preferred-address-types=InternalIP',
    '--kubelet-use-node-status-port',
    // Below 90 % of the resolution, as metrics-server requires (its default 10 s equals ours).
    '--kubelet-request-timeout=5s',
    `--metric-resolution=${options.resolutionSeconds}s`,
    '--profiling=false',
    '--v=1',
  ];
}
