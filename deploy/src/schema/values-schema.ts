/**
 * The chart's values schema (draft-07, what Helm validates `values.yaml` and every `-f`/`--set`
 * against). Every object is closed (`additionalProperties: false`), so a key the chart does not
 * read — `extraVolumes` where it takes `volumes` — fails the install with its name instead of
 * being dropped. Kubernetes-shaped values point at the API server's own definitions, made
 * strict the same way (see kubernetes-definitions.ts), so `fsGroup` in a container's
 * securityContext is refused too.
 */

type Schema = Record<string, unknown>;

const string: Schema = { type: 'string' };
const boolean: Schema = { type: 'boolean' };
const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };

function object(properties: Record<string, Schema>, extra: Schema = {}): Schema {
  return { type: 'object', additionalProperties: false, properties, ...extra };
}

function arrayOf(items: Schema, extra: Schema = {}): Schema {
  return { type: 'array', items, ...extra };
}

/** A definition of the Kubernetes API, by its OpenAPI name. */
export function k8s(name: string): Schema {
  return { $ref: `#/definitions/${name}` };
}
const core = (kind: string) => k8s(`io.k8s.api.core.v1.${kind}`);

/** The Kubernetes definitions this schema refers to; their closure is copied in. */
export const KUBERNETES_ROOTS = [
  'io.k8s.api.core.v1.Affinity',
  'io.k8s.api.core.v1.Container',
  'io.k8s.api.core.v1.EnvVar',
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.PodSecurityContext',
  'io.k8s.api.core.v1.ResourceRequirements',
  'io.k8s.api.core.v1.SecurityContext',
  'io.k8s.api.core.v1.Toleration',
  'io.k8s.api.core.v1.TopologySpreadConstraint',
  'io.k8s.api.core.v1.Volume',
  'io.k8s.api.core.v1.VolumeMount',
  'io.k8s.api.networking.v1.IngressTLS',
  'io.k8s.api.networking.v1.NetworkPolicyPeer',
] as const;

/** A DNS-1123 name of an object in the release's namespace; empty means "not used". */
const objectName: Schema = { type: 'string', pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$', maxLength: 253 };
const port: Schema = { type: ['integer', 'string'], pattern: '^([0-9]{1,5})?$', minimum: 1, maximum: 65535 };

const image = object({
  registry: string,
  repository: { type: 'string', minLength: 1 },
  tag: { type: 'string', pattern: '^[A-Za-z0-9_.-]{0,128}$' },
  digest: { type: 'string', pattern: '^(sha256:[a-f0-9]{64})?$' },
  pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
});

const remote = object(
  {
    name: { type: 'string', minLength: 1 },
    remoteEntry: { type: 'string', pattern: '^https?://' },
    exposedModule: { type: 'string', minLength: 1 },
    route: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    label: { type: 'string', minLength: 1 },
    icon: string,
    integrity: { type: 'string', pattern: '^sha(256|384|512)-' },
  },
  { required: ['name', 'remoteEntry', 'exposedModule', 'route', 'label'] },
);

const config = object({
  logLevel: { enum: ['error', 'warn', 'log', 'debug', 'verbose'] },
  logFormat: { enum: ['json', 'text'] },
  publicUrl: { type: 'string', pattern: '^(https?://[^/]+.*)?$' },
  insecureCookies: boolean,
  inCluster: boolean,
  inClusterContextName: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:@-]*$' },
  apiServer: object({ host: string, port }),
  kubeconfigSecret: objectName,
  caBundle: object({
    configMap: object({ name: objectName, key: { type: 'string', minLength: 1 } }),
    secret: object({ name: objectName, key: { type: 'string', minLength: 1 } }),
  }),
  insecureSkipTlsVerify: boolean,
  userRequestRate: { type: 'integer', minimum: 1, maximum: 100000 },
  readOnly: boolean,
  accessHelp: object({ text: { type: 'string', maxLength: 500 }, url: { type: 'string', pattern: '^((https://|mailto:).+)?$', maxLength: 2048 } }),
  impersonation: object({
    enabled: boolean,
    kubeconfigClusters: arrayOf({ type: 'string', minLength: 1, pattern: '^[^,]+$' }),
    usernameClaim: { type: 'string', pattern: '^[A-Za-z0-9_.:/-]{1,256}$' },
    usernamePrefix: { type: 'string', pattern: '^[\\x21-\\x7e]{0,256}$' },
    groupsClaim: { type: 'string', pattern: '^[A-Za-z0-9_.:/-]{1,256}$' },
    groupsPrefix: { type: 'string', pattern: '^[\\x21-\\x7e]{0,256}$' },
  }),
  namespaceDiscovery: object({
    methods: arrayOf({ type: 'string', enum: ['labelled', 'groups'] }, { uniqueItems: true }),
    label: { type: 'string', pattern: '^[^=]+=[^=]*$' },
    groups: { type: 'object', additionalProperties: arrayOf({ type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }) },
    clusters: arrayOf({ type: 'string', minLength: 1 }),
    maxCandidates: { type: 'integer', minimum: 1, maximum: 500 },
    cacheSeconds: { type: 'integer', minimum: 0, maximum: 600 },
  }),
  userClusters: object({ enabled: boolean, allow: arrayOf({ type: 'string', minLength: 1 }, { minItems: 1 }), deny: arrayOf({ type: 'string', minLength: 1 }) }),
  sessionKey: object({ existingSecret: objectName }),
  oidc: object({
    issuerURL: { type: 'string', pattern: '^(https?://.+)?$' },
    clientID: string,
    clientSecret: string,
    scopes: string,
    callbackURL: { type: 'string', minLength: 1 },
    useAccessToken: boolean,
    providerName: string,
    secret: object({ create: boolean, name: objectName }),
  }),
  authConfigSecret: objectName,
  remotes: arrayOf(remote),
  remotesConfigMaps: object({ enabled: boolean, namespace: objectName, allowedOrigins: arrayOf({ type: 'string', pattern: '^https?://[^/]+$' }) }),
  heapPercentage: { type: 'integer', minimum: 0, maximum: 100 },
  extraArgs: arrayOf({ type: 'string', pattern: '^--[a-z0-9-]+(=.*)?$' }),
});

const resources = core('ResourceRequirements');

export function valuesSchema(definitions: Record<string, unknown>): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Values of the Cairn chart',
    ...object({
      nameOverride: string,
      fullnameOverride: string,
      allInOne: boolean,
      replicaCount: { type: 'integer', minimum: 0 },
      image,
      imagePullSecrets: arrayOf(core('LocalObjectReference')),
      config,
      env: arrayOf(core('EnvVar')),
      volumes: arrayOf(core('Volume')),
      volumeMounts: arrayOf(core('VolumeMount')),
      initContainers: arrayOf(core('Container')),
      podSecurityContext: core('PodSecurityContext'),
      securityContext: core('SecurityContext'),
      resources,
      console: object({ image, resources }),
      auth: object({
        replicaCount: { type: 'integer', minimum: 0 },
        image,
        env: arrayOf(core('EnvVar')),
        volumeMounts: arrayOf(core('VolumeMount')),
        resources,
      }),
      podAnnotations: stringMap,
      podLabels: stringMap,
      nodeSelector: stringMap,
      tolerations: arrayOf(core('Toleration')),
      affinity: core('Affinity'),
      topologySpreadConstraints: arrayOf(core('TopologySpreadConstraint')),
      priorityClassName: string,
      service: object({
        type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        annotations: stringMap,
      }),
      ingress: object({
        enabled: boolean,
        ingressClassName: string,
        annotations: stringMap,
        hosts: arrayOf(
          object(
            {
              host: { type: 'string', minLength: 1 },
              paths: arrayOf(object({ path: { type: 'string', pattern: '^/' }, pathType: { enum: ['Prefix', 'Exact', 'ImplementationSpecific'] } }, { required: ['path'] })),
            },
            { required: ['host'] },
          ),
        ),
        tls: arrayOf(k8s('io.k8s.api.networking.v1.IngressTLS')),
      }),
      serviceAccount: object({ create: boolean, name: string, annotations: stringMap }),
      clusterRoleBinding: object({
        create: boolean,
        clusterRoleName: { type: 'string', minLength: 1 },
        subjects: arrayOf(
          object(
            {
              kind: { enum: ['User', 'Group', 'ServiceAccount'] },
              name: { type: 'string', minLength: 1 },
              apiGroup: string,
              namespace: string,
            },
            { required: ['kind', 'name'] },
          ),
        ),
      }),
      networkPolicy: object({ enabled: boolean, ingressFrom: arrayOf(k8s('io.k8s.api.networking.v1.NetworkPolicyPeer')) }),
      podDisruptionBudget: object({ enabled: boolean, maxUnavailable: { type: ['integer', 'string'], pattern: '^[0-9]+%?$' } }),
      autoscaling: object({
        enabled: boolean,
        minReplicas: { type: 'integer', minimum: 1 },
        maxReplicas: { type: 'integer', minimum: 1 },
        targetCPUUtilizationPercentage: { type: 'integer', minimum: 1, maximum: 100 },
      }),
      tests: object({ enabled: boolean }),
    }),
    definitions,
  };
}
