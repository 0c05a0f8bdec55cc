import { asArray, asNumber, asObject, asString, Json, text } from './json-shape';
import { formatLabels, labelSelectorText } from './kubectl-columns';

/**
 * What a pod (or a workload's pod template) asks for, container by container, in the words
 * `kubectl describe pod` uses (`describeContainers` and `DescribeProbe` in
 * k8s.io/kubectl/pkg/describe/describe.go): ports as `8080/TCP`, probes as
 * `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`,
 * environment variables with where their value comes from, mounts with their volume's source.
 * Every reader tolerates any JSON shape: a field of the wrong shape reads as absent.
 */

/** Where a value or a mount comes from, when it is another object the person may want to open. */
export interface ObjectSource {
  /** `ConfigMap`, `Secret`, `PersistentVolumeClaim`, `ServiceAccount`. */
  kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim' | 'ServiceAccount';
  name: string;
}

/** One environment variable: its literal value, or where the value comes from. */
export interface EnvVar {
  name: string;
  /** The literal value (may be empty). */
  value?: string;
  /** For `valueFrom`: kubectl's words, e.g. `<set to the key 'password' in secret 'db'>`, `(v1:metadata.name)`. */
  from?: string;
  /** The ConfigMap or Secret a `valueFrom` reads, to link to. */
  source?: ObjectSource;
  optional?: boolean;
}

/** An `envFrom` entry: every key of a ConfigMap or Secret, with an optional prefix. */
export interface EnvFrom {
  source: ObjectSource;
  prefix?: string;
  optional?: boolean;
}

/** A volume mount, with what the volume is. */
export interface Mount {
  mountPath: string;
  volume: string;
  readOnly: boolean;
  subPath?: string;
  /** The volume's source in one phrase, e.g. `ConfigMap web-config`, `EmptyDir`, `HostPath /var/log`. */
  volumeText: string;
  source?: ObjectSource;
}

/** A container's last termination (`status.containerStatuses[].lastState.terminated`) or current one. */
export interface Termination {
  reason: string;
  exitCode?: number;
  signal?: number;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface ContainerDetails {
  name: string;
  /** `init`, `sidecar` (an init container with `restartPolicy: Always`), `ephemeral` or `app`. */
  role: 'init' | 'sidecar' | 'ephemeral' | 'app';
  image: string;
  /** From the status (empty for a template): `Running`, `Waiting: CrashLoopBackOff`, `Terminated: Completed (exit 0)`. */
  state: string;
  /** The waiting or terminated message, if any (e.g. why an image cannot be pulled). */
  stateMessage?: string;
  /** When the current state began (RFC 3339), if known. */
  since?: string;
  ready: boolean;
  started?: boolean;
  restarts: number;
  lastTermination?: Termination;
  command: string[];
  args: string[];
  /** `8080/TCP (http)`; a host port as `8080:80/TCP`. */
  ports: string[];
  env: EnvVar[];
  envFrom: EnvFrom[];
  mounts: Mount[];
  /** Resource name → quantity as written, e.g. `{ cpu: '100m', memory: '64Mi' }`. */
  requests: Record<string, string>;
  limits: Record<string, string>;
  /** `Liveness`, `Readiness`, `Startup` → kubectl describe's one-line summary. */
  probes: { kind: 'Liveness' | 'Readiness' | 'Startup'; text: string }[];
}

type Obj = Record<string, Json>;
const objects = (value: Json): Obj[] => asArray(value).map(asObject);
const strings = (value: Json): string[] => asArray(value).map(text);
const quantities = (value: Json): Record<string, string> => Object.fromEntries(Object.entries(asObject(value)).map(([k, v]) => [k, text(v)]));

/** A port as kubectl describe prints it: `8080/TCP`, with the host port `8080:80/TCP`... and the name. */
function portText(port: Obj): string {
  const protocol = asString(port['protocol']) ?? 'TCP';
  const hostPort = asNumber(port['hostPort']);
  const main = `${text(port['containerPort'])}${hostPort ? `:${hostPort}` : ''}/${protocol}`;
  const name = asString(port['name']);
  return name ? `${main} (${name})` : main;
}

/**
 * A probe as `DescribeProbe` prints it: the action, then
 * `delay=<s>s timeout=<s>s period=<s>s #success=<n> #failure=<n>`. Unset timings read as the
 * API server's defaults (0, 1, 10, 1, 3), which a stored pod always carries.
 */
export function probeText(value: Json): string {
  const probe = asObject(value);
  const timings = `delay=${asNumber(probe['initialDelaySeconds']) ?? 0}s timeout=${asNumber(probe['timeoutSeconds']) ?? 1}s period=${asNumber(probe['periodSeconds']) ?? 10}s #success=${asNumber(probe['successThreshold']) ?? 1} #failure=${asNumber(probe['failureThreshold']) ?? 3}`;
  const exec = asObject(probe['exec']);
  const http = asObject(probe['httpGet']);
  const tcp = asObject(probe['tcpSocket']);
  const grpc = asObject(probe['grpc']);
  let action = 'unknown';
  if (Object.keys(exec).length) action = `exec [${strings(exec['command']).join(' ')}]`;
  else if (Object.keys(http).length) {
    const scheme = (asString(http['scheme']) ?? 'HTTP').toLowerCase();
    action = `http-get ${scheme}://${text(http['host'])}:${text(http['port'])}${text(http['path'])}`;
  } else if (Object.keys(tcp).length) action = `tcp-socket ${text(tcp['host'])}:${text(tcp['port'])}`;
  else if (Object.keys(grpc).length) action = `grpc <pod>:${text(grpc['port'])} ${text(grpc['service'])}`.trimEnd();
  return `${action} ${timings}`;
}

/**
 * The resource.Quantity grammar (k8s.io/apimachinery/pkg/api/resource, `quantity.go`):
 * `<signedNumber><suffix>`, a number with an optional sign (`1`, `1.5`, `1.`, `.5`) and one of a
 * binary-SI suffix (`Ki` … `Ei`), a decimal-SI one (`n`, `u`, `m`, none, `k`, `M` … `E`) or a
 * decimal exponent (`e3`, `E-2`). Groups: 1 the number, 2 the exponent, 3 the suffix.
 */
export const QUANTITY_PATTERN = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/**
 * A quantity (`256Mi`, `1.5`, `100m`, `1e3`, `2k`) as a number of base units (bytes, cores),
 * per resource.Quantity's suffixes; NaN when it is not one.
 */
export function quantityValue(quantity: string): number {
  const m = QUANTITY_PATTERN.exec(quantity.trim());
  if (!m) return Number.NaN;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  const factor: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
  return base * (m[3] ? (factor[m[3]] ?? 1) : 1);
}

/**
 * The value a `resourceFieldRef` gives a container, as the kubelet (and kubectl describe) compute
 * it: the quantity divided by the divisor (default 1), rounded up; for CPU in whole cores unless
 * a divisor says otherwise. "node allocatable" when the limit is not set.
 * Rule: `ExtractContainerResourceValue` (k8s.io/kubectl/pkg/util/resource).
 */
function resourceFieldValue(ref: Obj, container: Obj): string {
  const [section, name] = text(ref['resource']).split('.') as [string, string | undefined];
  const quantity = asString(asObject(asObject(container['resources'])[section])[name ?? '']);
  const divisor = quantityValue(text(ref['divisor']) || '1') || 1;
  if (!quantity) return section === 'limits' && (name === 'cpu' || name === 'memory') ? 'node allocatable' : '0';
  return String(Math.ceil(quantityValue(quantity) / divisor));
}

/**
 * A downward-API `fieldRef` resolved as kubectl describe resolves it (`EnvValueRetriever` →
 * `ExtractFieldPathAsString`): the pod's name, namespace, uid, and one label or annotation;
 * any other path (spec.nodeName, status.podIP) prints empty there, as it does in kubectl.
 */
function fieldRefValue(path: string, meta: Obj): string {
  const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (subscript) return text(asObject(meta[subscript[1] as string])[subscript[2] as string]);
  if (path === 'metadata.name' || path === 'metadata.namespace' || path === 'metadata.uid') return text(meta[path.slice('metadata.'.length)]);
  return '';
}

/** A `valueFrom` in kubectl describe's words, with the object it reads. */
function envFrom(value: Obj, container: Obj, meta: Obj): Pick<EnvVar, 'from' | 'source' | 'optional'> {
  const cm = asObject(value['configMapKeyRef']);
  const secret = asObject(value['secretKeyRef']);
  const field = asObject(value['fieldRef']);
  const resource = asObject(value['resourceFieldRef']);
  if (Object.keys(cm).length) {
    return { from: `<set to the key '${text(cm['key'])}' of config map '${text(cm['name'])}'>`, source: { kind: 'ConfigMap', name: text(cm['name']) }, optional: cm['optional'] === true };
  }
  if (Object.keys(secret).length) {
    return { from: `<set to the key '${text(secret['key'])}' in secret '${text(secret['name'])}'>`, source: { kind: 'Secret', name: text(secret['name']) }, optional: secret['optional'] === true };
  }
  if (Object.keys(field).length) return { from: `${fieldRefValue(text(field['fieldPath']), meta)} (${text(field['apiVersion']) || 'v1'}:${text(field['fieldPath'])})`.trimStart() };
  if (Object.keys(resource).length) return { from: `${resourceFieldValue(resource, container)} (${text(resource['resource'])})` };
  return { from: text(value) };
}

/** What a pod volume is, in one phrase, and the object behind it. */
export function volumeSource(value: Json): { text: string; source?: ObjectSource } {
  const volume = asObject(value);
  const cm = asObject(volume['configMap']);
  const secret = asObject(volume['secret']);
  const pvc = asObject(volume['persistentVolumeClaim']);
  if (Object.keys(cm).length) return { text: `ConfigMap ${text(cm['name'])}`, source: { kind: 'ConfigMap', name: text(cm['name']) } };
  if (Object.keys(secret).length) return { text: `Secret ${text(secret['secretName'])}`, source: { kind: 'Secret', name: text(secret['secretName']) } };
  if (Object.keys(pvc).length) return { text: `PersistentVolumeClaim ${text(pvc['claimName'])}${pvc['readOnly'] === true ? ' (read-only)' : ''}`, source: { kind: 'PersistentVolumeClaim', name: text(pvc['claimName']) } };
  if ('emptyDir' in volume) {
    const empty = asObject(volume['emptyDir']);
    return { text: `EmptyDir${asString(empty['medium']) ? ` (${text(empty['medium'])})` : ''}${empty['sizeLimit'] !== undefined ? `, at most ${text(empty['sizeLimit'])}` : ''}` };
  }
  const host = asObject(volume['hostPath']);
  if (Object.keys(host).length) return { text: `HostPath ${text(host['path'])}` };
  const projected = asObject(volume['projected']);
  if (Object.keys(projected).length) {
    const parts = objects(projected['sources']).map((s) => Object.keys(s)[0] ?? '').filter(Boolean);
    return { text: `Projected (${parts.join(', ')})` };
  }
  const kind = Object.keys(volume).find((k) => k !== 'name');
  return { text: kind ? kind.charAt(0).toUpperCase() + kind.slice(1) : 'unknown' };
}

function termination(value: Json): Termination | undefined {
  const t = asObject(value);
  if (!Object.keys(t).length) return undefined;
  return {
    reason: asString(t['reason']) ?? 'Terminated',
    ...(asNumber(t['exitCode']) !== undefined ? { exitCode: asNumber(t['exitCode']) } : {}),
    ...(asNumber(t['signal']) ? { signal: asNumber(t['signal']) } : {}),
    ...(asString(t['message']) ? { message: asString(t['message']) } : {}),
    ...(asString(t['startedAt']) ? { startedAt: asString(t['startedAt']) } : {}),
    ...(asString(t['finishedAt']) ? { finishedAt: asString(t['finishedAt']) } : {}),
  };
}

/**
 * Every container of a pod (or of a pod template's `spec`), init containers and native sidecars
 * first as the pod runs them, then app containers, then ephemeral (debug) containers, each with
 * what its status says when `podStatus` is given; `podMetadata` resolves downward-API values.
 */
export function containerDetails(podSpec: Json, podStatus?: Json, podMetadata?: Json): ContainerDetails[] {
  const spec = asObject(podSpec);
  const meta = asObject(podMetadata);
  const status = asObject(podStatus);
  const volumes = new Map(objects(spec['volumes']).map((v) => [text(v['name']), volumeSource(v)]));
  const statuses = new Map(
    [...objects(status['initContainerStatuses']), ...objects(status['containerStatuses']), ...objects(status['ephemeralContainerStatuses'])].map((s) => [text(s['name']), s]),
  );
  const describe = (c: Obj, role: ContainerDetails['role']): ContainerDetails => {
    const s = statuses.get(text(c['name'])) ?? {};
    const state = asObject(s['state']);
    const running = asObject(state['running']);
    const waiting = asObject(state['waiting']);
    const terminated = termination(state['terminated']);
    let stateText = '';
    let since: string | undefined;
    let stateMessage: string | undefined;
    if (Object.keys(running).length || 'running' in state) {
      stateText = 'Running';
      since = asString(running['startedAt']);
    } else if ('waiting' in state) {
      stateText = `Waiting${asString(waiting['reason']) ? `: ${text(waiting['reason'])}` : ''}`;
      stateMessage = asString(waiting['message']);
    } else if (terminated) {
      stateText = `Terminated: ${terminated.reason}${terminated.exitCode !== undefined ? ` (exit ${terminated.exitCode})` : ''}`;
      since = terminated.finishedAt;
      stateMessage = terminated.message;
    }
    const resources = asObject(c['resources']);
    const last = termination(asObject(s['lastState'])['terminated']);
    return {
      name: text(c['name']),
      role,
      image: text(c['image']),
      state: stateText,
      ...(stateMessage ? { stateMessage } : {}),
      ...(since ? { since } : {}),
      ready: s['ready'] === true,
      ...(typeof s['started'] === 'boolean' ? { started: s['started'] } : {}),
      restarts: asNumber(s['restartCount']) ?? 0,
      ...(last ? { lastTermination: last } : {}),
      command: strings(c['command']),
      args: strings(c['args']),
      ports: objects(c['ports']).map(portText),
      env: objects(c['env']).map((e) => ('valueFrom' in e ? { name: text(e['name']), ...envFrom(asObject(e['valueFrom']), c, meta) } : { name: text(e['name']), value: text(e['value']) })),
      envFrom: objects(c['envFrom']).flatMap((e): EnvFrom[] => {
        const cm = asObject(e['configMapRef']);
        const secret = asObject(e['secretRef']);
        const ref = Object.keys(cm).length ? { kind: 'ConfigMap' as const, ref: cm } : Object.keys(secret).length ? { kind: 'Secret' as const, ref: secret } : undefined;
        if (!ref) return [];
        return [{ source: { kind: ref.kind, name: text(ref.ref['name']) }, ...(asString(e['prefix']) ? { prefix: asString(e['prefix']) } : {}), optional: ref.ref['optional'] === true }];
      }),
      mounts: objects(c['volumeMounts']).map((m) => {
        const volume = volumes.get(text(m['name']));
        return {
          mountPath: text(m['mountPath']),
          volume: text(m['name']),
          readOnly: m['readOnly'] === true,
          ...(asString(m['subPath']) ? { subPath: asString(m['subPath']) } : {}),
          volumeText: volume?.text ?? 'a volume the pod does not declare',
          ...(volume?.source ? { source: volume.source } : {}),
        };
      }),
      requests: quantities(resources['requests']),
      limits: quantities(resources['limits']),
      probes: (['Liveness', 'Readiness', 'Startup'] as const).flatMap((kind) => {
        const probe = c[`${kind.toLowerCase()}Probe`];
        return probe && typeof probe === 'object' ? [{ kind, text: probeText(probe) }] : [];
      }),
    };
  };
  return [
    ...objects(spec['initContainers']).map((c) => describe(c, c['restartPolicy'] === 'Always' ? 'sidecar' : 'init')),
    ...objects(spec['containers']).map((c) => describe(c, 'app')),
    ...objects(spec['ephemeralContainers']).map((c) => describe(c, 'ephemeral')),
  ];
}

/** A termination in one line: `OOMKilled (exit 137)`, `Error (exit 1)`, `Signal 9`. */
export function terminationText(t: Termination): string {
  const code = t.exitCode !== undefined ? ` (exit ${t.exitCode})` : t.signal ? ` (signal ${t.signal})` : '';
  return `${t.reason}${code}`;
}

/** The pod spec of a workload's template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob), or a pod's own spec. */
export function podTemplateSpec(object: Json): Obj {
  const spec = asObject(asObject(object)['spec']);
  const jobTemplate = asObject(asObject(spec['jobTemplate'])['spec']);
  const template = asObject(spec['template'] ?? jobTemplate['template']);
  return Object.keys(template).length ? asObject(template['spec']) : spec;
}

/**
 * A label selector (`metav1.LabelSelector`, or a Service's plain map) in kubectl's selector
 * syntax, as `kubectl get -o wide` and `kubectl describe` print it: `app=web,!legacy,tier in (a,b)`
 * (requirements sorted by key); undefined when it selects nothing in particular. The rules are
 * kube-model's `labelSelectorText` and `formatLabels` (`metav1.LabelSelectorAsSelector`,
 * `labels.FormatLabels`), held against the API server's table.
 */
export function selectorText(value: Json): string | undefined {
  const selector = asObject(value);
  const plain = !('matchLabels' in selector) && !('matchExpressions' in selector);
  if (plain) return Object.keys(selector).length ? formatLabels(selector) : undefined;
  return labelSelectorText(selector) || undefined;
}

/**
 * A Deployment's, StatefulSet's or DaemonSet's update strategy in one line, as kubectl describe
 * prints it: `RollingUpdate (max surge 25%, max unavailable 25%)`, `Recreate`, `OnDelete`.
 */
export function strategyText(object: Json): string | undefined {
  const spec = asObject(asObject(object)['spec']);
  const strategy = asObject(spec['strategy'] ?? spec['updateStrategy']);
  const type = asString(strategy['type']);
  if (!type) return undefined;
  const rolling = asObject(strategy['rollingUpdate']);
  const parts = [
    rolling['maxSurge'] !== undefined ? `max surge ${text(rolling['maxSurge'])}` : '',
    rolling['maxUnavailable'] !== undefined ? `max unavailable ${text(rolling['maxUnavailable'])}` : '',
    rolling['partition'] !== undefined ? `partition ${text(rolling['partition'])}` : '',
  ].filter(Boolean);
  return parts.length ? `${type} (${parts.join(', ')})` : type;
}
