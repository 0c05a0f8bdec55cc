import { age, humanDuration } from './duration';
import { eventCount, eventLastSeen } from './events';
import { asArray, asNumber, asObject, asString, Json, text } from './json-shape';
import { nodeStatusText } from './node-status';

/**
 * The columns `kubectl get -o wide` prints for the built-in kinds Cairn lists with its own
 * cells, and the rules that fill them: the API server's printers
 * (`k8s.io/kubernetes/pkg/printers/internalversion/printers.go`: printDeployment,
 * printReplicaSet, printStatefulSet, printDaemonSet, printJob, printCronJob, printService,
 * printNode, printEvent), which answer `kubectl get` as a `meta.k8s.io/v1` Table. One place per rule:
 * the lists, the detail headers and the tests read these.
 *
 * Every reader tolerates any JSON shape (a missing status prints as kubectl prints a zero).
 */
export type PrintedKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'Service' | 'Node' | 'Event';

export interface KubectlColumn {
  /** The column's name as the API server's table names it (kubectl prints it upper-cased). */
  name: string;
  /** 0: `kubectl get`; 1: only `kubectl get -o wide`. */
  priority: 0 | 1;
  /** Printed from a number (the table cell is an integer). */
  numeric?: boolean;
}

const col = (name: string, priority: 0 | 1 = 0, numeric = false): KubectlColumn => ({ name, priority, ...(numeric ? { numeric } : {}) });
const WIDE_TEMPLATE = [col('Containers', 1), col('Images', 1)];

/** kubectl's columns of each kind after NAME (and NAMESPACE), in its order. */
export const KUBECTL_COLUMNS: Readonly<Record<PrintedKind, readonly KubectlColumn[]>> = {
  Deployment: [col('Ready'), col('Up-to-date', 0, true), col('Available', 0, true), col('Age'), ...WIDE_TEMPLATE, col('Selector', 1)],
  ReplicaSet: [col('Desired', 0, true), col('Current', 0, true), col('Ready', 0, true), col('Age'), ...WIDE_TEMPLATE, col('Selector', 1)],
  StatefulSet: [col('Ready'), col('Age'), ...WIDE_TEMPLATE],
  DaemonSet: [
    col('Desired', 0, true), col('Current', 0, true), col('Ready', 0, true), col('Up-to-date', 0, true), col('Available', 0, true),
    col('Node Selector'), col('Age'), ...WIDE_TEMPLATE, col('Selector', 1),
  ],
  Job: [col('Status'), col('Completions'), col('Duration'), col('Age'), ...WIDE_TEMPLATE, col('Selector', 1)],
  CronJob: [col('Schedule'), col('Timezone'), col('Suspend'), col('Active', 0, true), col('Last Schedule'), col('Age'), ...WIDE_TEMPLATE, col('Selector', 1)],
  Service: [col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), col('Age'), col('Selector', 1)],
  // Source is left out: Cairn does not print it.
  Event: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Subobject', 1), col('Message'), col('First Seen', 1), col('Count', 1, true)],
  Node: [col('Status'), col('Roles'), col('Age'), col('Version'), col('Internal-IP', 1), col('External-IP', 1), col('OS-Image', 1), col('Kernel-Version', 1), col('Container-Runtime', 1)],
};

const spec = (o: Json) => asObject(asObject(o)['spec']);
const status = (o: Json) => asObject(asObject(o)['status']);
const metadata = (o: Json) => asObject(asObject(o)['metadata']);
/** An int32 field as the printer reads it from a typed object: 0 when missing or not a number. */
const count = (v: Json) => Math.trunc(asNumber(v) ?? 0);

/** `translateTimestampSince`: the HumanDuration since `timestamp`, `<unknown>` without one. */
function since(timestamp: Json, now: number): string {
  return age(asString(timestamp), now) || '<unknown>';
}

/** `layoutContainerCells`: container names and images, each joined with "," (no spaces). */
export function containerCells(containers: Json): { names: string; images: string } {
  const list = asArray(containers).map(asObject);
  return { names: list.map((c) => text(c['name'])).join(','), images: list.map((c) => text(c['image'])).join(',') };
}

/**
 * `labels.FormatLabels`: a label map as `k=v` pairs sorted by key and joined with ",";
 * `<none>` when empty or not a map.
 */
export function formatLabels(labels: Json): string {
  const entries = Object.entries(asObject(labels)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? entries.map(([k, v]) => `${k}=${text(v)}`).join(',') : '<none>';
}

/**
 * A LabelSelector as `labels.Selector.String()` prints it (apimachinery
 * `metav1.LabelSelectorAsSelector`): one requirement per matchLabels entry (`k=v`) and per
 * matchExpression (`k in (a,b)`, `k notin (a,b)`, `k`, `!k`; values sorted), sorted by key,
 * joined with ","; '' for an empty or missing selector, `<error>` for an unknown operator.
 */
export function labelSelectorText(selector: Json): string {
  const s = asObject(selector);
  const requirements: Array<{ key: string; text: string }> = Object.entries(asObject(s['matchLabels'])).map(([key, value]) => ({ key, text: `${key}=${text(value)}` }));
  for (const e of asArray(s['matchExpressions']).map(asObject)) {
    const key = text(e['key']);
    const values = asArray(e['values']).map(text).sort();
    switch (e['operator']) {
      case 'In': requirements.push({ key, text: `${key} in (${values.join(',')})` }); break;
      case 'NotIn': requirements.push({ key, text: `${key} notin (${values.join(',')})` }); break;
      case 'Exists': requirements.push({ key, text: key }); break;
      case 'DoesNotExist': requirements.push({ key, text: `!${key}` }); break;
      default: return '<error>';
    }
  }
  return requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => r.text).join(',');
}

/** `metav1.FormatLabelSelector`: as {@link labelSelectorText}, `<none>` when that is empty. */
export function formatLabelSelector(selector: Json): string {
  return labelSelectorText(selector) || '<none>';
}

const hasCondition = (o: Json, type: string) => asArray(status(o)['conditions']).map(asObject).some((c) => c['type'] === type && c['status'] === 'True');

/**
 * A Job's STATUS as `printJob` prints it: Complete, Failed, Terminating (being deleted),
 * Suspended, FailureTarget, SuccessCriteriaMet, else Running, by its True conditions in
 * that order.
 */
export function jobStatusText(job: Json): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (metadata(job)['deletionTimestamp']) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/**
 * A Job's COMPLETIONS: `succeeded/completions`; without `spec.completions` (a work queue)
 * `succeeded/1`, or `succeeded/1 of parallelism` when more than one pod runs at once.
 */
export function jobCompletionsText(job: Json): string {
  const succeeded = count(status(job)['succeeded']);
  const completions = asNumber(spec(job)['completions']);
  if (completions !== undefined) return `${succeeded}/${Math.trunc(completions)}`;
  const parallelism = count(spec(job)['parallelism']);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** A Job's DURATION: from startTime to completionTime (or to `now`, ms); '' before it started. */
export function jobDurationText(job: Json, now = Date.now()): string {
  const start = Date.parse(text(status(job)['startTime']));
  if (Number.isNaN(start)) return '';
  const end = Date.parse(text(status(job)['completionTime']));
  return humanDuration(((Number.isNaN(end) ? now : end) - start) / 1000);
}

/** `getServiceExternalIP` (wide, as the server's table prints it). */
function serviceExternalIp(service: Json): string {
  const s = spec(service);
  const externalIps = asArray(s['externalIPs']).map(text);
  switch (s['type']) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIps.length ? externalIps.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = [...new Set(asArray(asObject(status(service)['loadBalancer'])['ingress']).map(asObject).map((i) => text(i['ip']) || text(i['hostname'])).filter(Boolean))].sort();
      const all = [...ingress, ...externalIps];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return text(s['externalName']);
    default:
      return '<unknown>';
  }
}

/** `makePortString`: `port/protocol`, or `port:nodePort/protocol`, joined with ","; `<none>` without ports. */
function servicePorts(service: Json): string {
  const ports = asArray(spec(service)['ports']).map(asObject).map((p) => {
    const nodePort = count(p['nodePort']);
    return nodePort > 0 ? `${count(p['port'])}:${nodePort}/${text(p['protocol'])}` : `${count(p['port'])}/${text(p['protocol'])}`;
  });
  return ports.length ? ports.join(',') : '<none>';
}

/** `findNodeRoles`: `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role`, sorted, or `<none>`. */
function nodeRoles(node: Json): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(asObject(metadata(node)['labels']))) {
    if (key.startsWith('node-role.kubernetes.io/') && key.length > 'node-role.kubernetes.io/'.length) roles.add(key.slice('node-role.kubernetes.io/'.length));
    else if (key === 'kubernetes.io/role' && text(value)) roles.add(text(value));
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(node: Json, type: string): string {
  return text(asArray(status(node)['addresses']).map(asObject).find((a) => a['type'] === type)?.['address']) || '<none>';
}

function nodeInfo(node: Json, field: string): string {
  return text(asObject(status(node)['nodeInfo'])[field]);
}

/**
 * The cells `kubectl get -o wide` prints for `object` of `kind`, by column name (the names of
 * {@link KUBECTL_COLUMNS}), at `now` (ms, for AGE and the durations). Integer cells are
 * printed as decimal text, as kubectl prints them.
 */
export function kubectlCells(kind: PrintedKind, object: Json, now = Date.now()): Record<string, string> {
  const s = spec(object);
  const st = status(object);
  const ageCell = since(metadata(object)['creationTimestamp'], now);
  const template = asObject(asObject(s['template'])['spec']);
  const containers = () => {
    const { names, images } = containerCells(template['containers']);
    return { Containers: names, Images: images };
  };
  switch (kind) {
    case 'Deployment':
      return {
        Ready: `${count(st['readyReplicas'])}/${count(s['replicas'])}`,
        'Up-to-date': String(count(st['updatedReplicas'])),
        Available: String(count(st['availableReplicas'])),
        Age: ageCell,
        ...containers(),
        Selector: labelSelectorText(s['selector']),
      };
    case 'ReplicaSet':
      return {
        Desired: String(count(s['replicas'])),
        Current: String(count(st['replicas'])),
        Ready: String(count(st['readyReplicas'])),
        Age: ageCell,
        ...containers(),
        Selector: formatLabelSelector(s['selector']),
      };
    case 'StatefulSet':
      return { Ready: `${count(st['readyReplicas'])}/${count(s['replicas'])}`, Age: ageCell, ...containers() };
    case 'DaemonSet':
      return {
        Desired: String(count(st['desiredNumberScheduled'])),
        Current: String(count(st['currentNumberScheduled'])),
        Ready: String(count(st['numberReady'])),
        'Up-to-date': String(count(st['updatedNumberScheduled'])),
        Available: String(count(st['numberAvailable'])),
        'Node Selector': formatLabels(template['nodeSelector']),
        Age: ageCell,
        ...containers(),
        Selector: formatLabelSelector(s['selector']),
      };
    case 'Job':
      return { Status: jobStatusText(object), Completions: jobCompletionsText(object), Duration: jobDurationText(object, now), Age: ageCell, ...containers(), Selector: formatLabelSelector(s['selector']) };
    case 'CronJob': {
      const jobSpec = asObject(asObject(s['jobTemplate'])['spec']);
      const { names, images } = containerCells(asObject(asObject(jobSpec['template'])['spec'])['containers']);
      const suspend = s['suspend'];
      return {
        Schedule: text(s['schedule']),
        Timezone: asString(s['timeZone']) ?? '<none>',
        Suspend: typeof suspend === 'boolean' ? (suspend ? 'True' : 'False') : '<unset>',
        Active: String(asArray(st['active']).length),
        'Last Schedule': st['lastScheduleTime'] ? since(st['lastScheduleTime'], now) : '<none>',
        Age: ageCell,
        Containers: names,
        Images: images,
        Selector: formatLabelSelector(jobSpec['selector']),
      };
    }
    case 'Service':
      return {
        Type: text(s['type']),
        'Cluster-IP': text(asArray(s['clusterIPs'])[0]) || '<none>',
        'External-IP': serviceExternalIp(object),
        'Port(s)': servicePorts(object),
        Age: ageCell,
        Selector: formatLabels(s['selector']),
      };
    case 'Event': {
      const e = asObject(object);
      const involved = asObject(e['involvedObject']);
      const first = since(e['firstTimestamp'] || e['eventTime'], now);
      return {
        'Last Seen': eventLastSeen(object) ? since(eventLastSeen(object), now) : '<unknown>',
        Type: text(e['type']),
        Reason: text(e['reason']),
        Object: involved['name'] ? `${text(involved['kind']).toLowerCase()}/${text(involved['name'])}` : text(involved['kind']).toLowerCase(),
        Subobject: text(involved['fieldPath']),
        Message: text(e['message']).trim(),
        'First Seen': first,
        Count: String(eventCount(object)),
      };
    }
    case 'Node': {
      const arch = nodeInfo(object, 'architecture');
      const kernel = nodeInfo(object, 'kernelVersion') || '<unknown>';
      return {
        Status: nodeStatusText(object),
        Roles: nodeRoles(object),
        Age: ageCell,
        Version: nodeInfo(object, 'kubeletVersion'),
        'Internal-IP': nodeAddress(object, 'InternalIP'),
        'External-IP': nodeAddress(object, 'ExternalIP'),
        'OS-Image': nodeInfo(object, 'osImage') || '<unknown>',
        'Kernel-Version': arch ? `${kernel} (${arch})` : kernel,
        'Container-Runtime': nodeInfo(object, 'containerRuntimeVersion') || '<unknown>',
      };
    }
  }
}
