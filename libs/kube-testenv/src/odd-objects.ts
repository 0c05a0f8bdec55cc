import type { KubeApi, KubeObject } from './kube-api';
import { SEED_LABEL } from './seed';

/**
 * A custom resource definition with printer columns of every type kubectl formats, and objects
 * whose shapes a console must survive: `status.conditions` as a list (the convention), as a map
 * and as a string, and fields missing altogether. kubectl lists them all; so must Cairn.
 */
export const GADGETS = { group: 'example.com', version: 'v1', resource: 'gadgets', namespace: 'team-b' } as const;

export function gadgetDefinition(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.com', labels: { [SEED_LABEL]: 'true' } },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: ['gd'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            { name: 'Color', type: 'string', jsonPath: '.spec.color', description: 'What it looks like' },
            { name: 'Weight', type: 'number', jsonPath: '.spec.weight' },
            { name: 'Enabled', type: 'boolean', jsonPath: '.spec.enabled' },
            { name: 'Parts', type: 'string', jsonPath: '.spec.parts[*].name' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Built', type: 'date', jsonPath: '.spec.builtAt' },
            { name: 'Owner', type: 'string', jsonPath: '.spec.owner', priority: 1 },
          ],
        },
      ],
    },
  };
}

export function gadgets(): KubeObject[] {
  const gadget = (name: string, spec: Record<string, unknown>, status: unknown): KubeObject => ({
    apiVersion: 'example.com/v1',
    kind: 'Gadget',
    metadata: { name, namespace: GADGETS.namespace, labels: { [SEED_LABEL]: 'true' } },
    spec,
    ...(status === undefined ? {} : { status }),
  });
  return [
    gadget('sprocket', { size: 3, color: 'red', weight: 1.5, enabled: true, parts: [{ name: 'tooth' }, { name: 'hub' }], builtAt: '2025-06-01T10:00:00Z', owner: 'team-b' }, { conditions: [{ type: 'Ready', status: 'True', reason: 'Assembled' }] }),
    gadget('cog', { size: 12, color: 'blue', enabled: false }, { conditions: { Ready: 'False', reason: 'a map, not a list' } }),
    gadget('gear', { size: 'large' }, { conditions: 'Ready' }),
    gadget('widgetless', {}, undefined),
  ];
}

/**
 * A definition served at three versions, as CRDs look while they evolve: `v1` (stored),
 * `v1beta1` (still served, deprecated, with other printer columns) and `v1alpha1` (no longer
 * served). kubectl prints each served version with that version's columns.
 */
export const SENSORS = { group: 'example.com', versions: ['v1', 'v1beta1'], resource: 'sensors', namespace: 'team-b' } as const;

export function sensorDefinition(): KubeObject {
  const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'sensors.example.com', labels: { [SEED_LABEL]: 'true' } },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'sensors', singular: 'sensor', kind: 'Sensor' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema,
          additionalPrinterColumns: [
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
        {
          name: 'v1beta1',
          served: true,
          storage: false,
          deprecated: true,
          deprecationWarning: 'example.com/v1beta1 Sensor is deprecated; use example.com/v1',
          schema,
          additionalPrinterColumns: [{ name: 'Size', type: 'string', jsonPath: '.spec.size' }],
        },
        { name: 'v1alpha1', served: false, storage: false, schema },
      ],
    },
  };
}

export function sensors(): KubeObject[] {
  const sensor = (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
    apiVersion: 'example.com/v1',
    kind: 'Sensor',
    metadata: { name, namespace: SENSORS.namespace, labels: { [SEED_LABEL]: 'true' } },
    spec,
    ...(status ? { status } : {}),
  });
  return [sensor('thermo', { replicas: 2, size: 'small' }, { phase: 'Ready' }), sensor('hygro', { replicas: 0 })];
}

/**
 * A cluster-scoped definition whose printer columns use every type and `format` a CRD may
 * declare, `priority: 1` (shown by `kubectl get -o wide` only), and JSONPath into arrays
 * (`[*]`, an index, a filter).
 */
export const CLUSTER_PROBES = { group: 'example.com', version: 'v1', resource: 'clusterprobes' } as const;

export function clusterProbeDefinition(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'clusterprobes.example.com', labels: { [SEED_LABEL]: 'true' } },
    spec: {
      group: 'example.com',
      scope: 'Cluster',
      names: { plural: 'clusterprobes', singular: 'clusterprobe', kind: 'ClusterProbe', shortNames: ['cprobe'], categories: ['cairn-test'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Interval', type: 'integer', format: 'int32', jsonPath: '.spec.intervalSeconds' },
            { name: 'Success Rate', type: 'number', format: 'float', jsonPath: '.status.successRate' },
            { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused' },
            { name: 'Last Probe', type: 'date', jsonPath: '.status.lastProbeTime' },
            { name: 'Targets', type: 'string', jsonPath: '.spec.targets[*].host' },
            { name: 'First Target', type: 'string', jsonPath: '.spec.targets[0].host' },
            { name: 'Healthy', type: 'string', jsonPath: '.status.conditions[?(@.type=="Healthy")].status' },
            { name: 'Latency', type: 'number', format: 'double', jsonPath: '.status.latencyMs', priority: 1 },
            { name: 'Owner', type: 'string', jsonPath: '.spec.owner', priority: 1, description: 'Who to ask' },
            // A string with a date format is printed as it is, not as an age (only type date is).
            { name: 'Since', type: 'string', format: 'date-time', jsonPath: '.spec.since', priority: 1 },
            { name: 'Checksum', type: 'string', format: 'byte', jsonPath: '.spec.checksum', priority: 2 },
          ],
        },
      ],
    },
  };
}

export function clusterProbes(): KubeObject[] {
  const probe = (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
    apiVersion: 'example.com/v1',
    kind: 'ClusterProbe',
    metadata: { name, labels: { [SEED_LABEL]: 'true' } },
    spec,
    ...(status ? { status } : {}),
  });
  return [
    probe(
      'edge-dns',
      { intervalSeconds: 30, paused: false, targets: [{ host: '10.0.0.53' }, { host: '10.0.1.53' }], owner: 'netops@cairn.test', since: '2025-03-01T08:00:00Z', checksum: 'Y2Fpcm4=' },
      { successRate: 0.995, latencyMs: 12.25, lastProbeTime: '2026-01-01T00:00:00Z', conditions: [{ type: 'Healthy', status: 'True' }] },
    ),
    // Numbers where kubectl truncates (integer from a float) and an invalid date.
    probe('flaky-api', { intervalSeconds: 7.9, paused: true, targets: [{ host: 'api.cairn.test' }] }, { successRate: 1, latencyMs: 1200, lastProbeTime: 'yesterday', conditions: [{ type: 'Healthy', status: 'False' }] }),
    // No status at all, no targets: every column but the name empty.
    probe('unconfigured', {}),
  ];
}

/** Creates the definitions, waits until each is served, then the objects. */
export async function seedOddObjects(admin: KubeApi): Promise<void> {
  const served = async (collection: string) => {
    for (let i = 0; i < 100 && (await admin.send('GET', collection)).status !== 200; i++) await new Promise((r) => setTimeout(r, 200));
  };
  await admin.apply(gadgetDefinition());
  await admin.apply(sensorDefinition());
  await admin.apply(clusterProbeDefinition());
  await served(`/apis/${GADGETS.group}/${GADGETS.version}/namespaces/${GADGETS.namespace}/${GADGETS.resource}`);
  for (const object of gadgets()) await admin.apply(object);
  for (const version of SENSORS.versions) await served(`/apis/${SENSORS.group}/${version}/namespaces/${SENSORS.namespace}/${SENSORS.resource}`);
  for (const object of sensors()) await admin.apply(object);
  await served(`/apis/${CLUSTER_PROBES.group}/${CLUSTER_PROBES.version}/${CLUSTER_PROBES.resource}`);
  for (const object of clusterProbes()) {
    const { status, ...rest } = object;
    await admin.apply(rest as KubeObject);
    if (status) await admin.json('PATCH', `/apis/${CLUSTER_PROBES.group}/${CLUSTER_PROBES.version}/${CLUSTER_PROBES.resource}/${object.metadata.name}/status`, { status }, 'application/merge-patch+json');
  }
}
