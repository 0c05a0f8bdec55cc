import { asArray, asNumber, asObject, asString, Json } from './json-shape';

/**
 * kubectl's rollout rules (`kubectl rollout history|undo|status`, k8s.io/kubectl/pkg/polymorphichelpers:
 * history.go, rollback.go, rollout_status.go), once, for every screen that shows a workload's
 * revisions, compares them, rolls one back or follows a rollout.
 */

/** The kinds kubectl can roll back, by resource name in `apps/v1`. */
export type RolloutKind = 'deployments' | 'statefulsets' | 'daemonsets';

export const ROLLOUT_KINDS: readonly RolloutKind[] = ['deployments', 'statefulsets', 'daemonsets'];

/** The label the Deployment controller adds to each ReplicaSet's template (appsv1.DefaultDeploymentUniqueLabelKey). */
export const POD_TEMPLATE_HASH = 'pod-template-hash';
/** A ReplicaSet's (and its Deployment's) revision number (deploymentutil.RevisionAnnotation). */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** Why a revision was made, as `kubectl rollout history` prints it (CHANGE-CAUSE). */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

/**
 * The Deployment annotations kubectl keeps from the Deployment instead of copying them from the
 * ReplicaSet on a rollback (rollback.go, `annotationsToSkip`).
 */
export const ROLLBACK_KEEPS_ANNOTATIONS: readonly string[] = [
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
];

/** One entry of a workload's rollout history. */
export interface Revision {
  /** The revision number (`kubectl rollout history`'s REVISION). */
  revision: number;
  /** The ReplicaSet (Deployment) or ControllerRevision (StatefulSet, DaemonSet) that records it. */
  name: string;
  /** Its creation time, RFC 3339, as the API server wrote it. */
  created?: string;
  /** `kubernetes.io/change-cause` of the ReplicaSet or ControllerRevision; undefined where kubectl prints `<none>`. */
  changeCause?: string;
  /** Every container's and init container's image, in template order. */
  images: string[];
  /** The pod template it records, without the `pod-template-hash` label and the `$patch` directive. */
  template: Record<string, Json>;
  /** The revision the workload's pods are being rolled to now. */
  current: boolean;
}

const metadataOf = (o: Json) => asObject(asObject(o)['metadata']);

function controlledBy(item: Json, owner: Json): boolean {
  const uid = asString(metadataOf(owner)['uid']);
  return Boolean(uid) && asArray(metadataOf(item)['ownerReferences']).some((ref) => asObject(ref)['uid'] === uid && asObject(ref)['controller'] === true);
}

function withoutHashLabel(template: Json): Record<string, Json> {
  const copy = structuredClone(asObject(template));
  const metadata = asObject(copy['metadata']);
  const labels = asObject(metadata['labels']);
  if (POD_TEMPLATE_HASH in labels) {
    delete labels[POD_TEMPLATE_HASH];
    copy['metadata'] = { ...metadata, labels };
  }
  return copy;
}

/**
 * The pod template a ReplicaSet or ControllerRevision records: a ReplicaSet's `spec.template`
 * minus its `pod-template-hash` label; a ControllerRevision's `data.spec.template` (the strategic
 * merge patch kubectl and the controllers store) minus `$patch`.
 */
export function recordedTemplate(kind: RolloutKind, item: Json): Record<string, Json> {
  if (kind === 'deployments') return withoutHashLabel(asObject(asObject(item)['spec'])['template']);
  const template = { ...asObject(asObject(asObject(asObject(item)['data'])['spec'])['template']) };
  delete template['$patch'];
  return template;
}

/** Every image of a pod template: init containers first, then containers, as the pod spec lists them. */
export function templateImages(template: Json): string[] {
  const spec = asObject(asObject(template)['spec']);
  return [...asArray(spec['initContainers']), ...asArray(spec['containers'])].map((c) => asString(asObject(c)['image']) ?? '').filter(Boolean);
}

/** A ReplicaSet's revision (deploymentutil.Revision) or a ControllerRevision's `.revision`; undefined when it has none kubectl can read. */
function revisionNumber(kind: RolloutKind, item: Json): number | undefined {
  if (kind !== 'deployments') return asNumber(asObject(item)['revision']);
  const text = asString(asObject(metadataOf(item)['annotations'])[REVISION_ANNOTATION]);
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * A workload's rollout history, newest first, as `kubectl rollout history` reads it:
 * `candidates` are the ReplicaSets (Deployment) or ControllerRevisions (StatefulSet, DaemonSet)
 * of its namespace matching its selector; only those it controls (ownerReference `controller:
 * true` with its uid) count, and one without a readable revision number is left out (kubectl
 * warns and skips it). The current revision is the Deployment's own `deployment.kubernetes.io/revision`,
 * the StatefulSet's `status.updateRevision`, or for a DaemonSet (and whenever those are missing)
 * the highest number.
 */
export function revisionHistory(kind: RolloutKind, owner: Json, candidates: Json[]): Revision[] {
  const revisions = candidates
    .filter((item) => controlledBy(item, owner))
    .flatMap((item) => {
      const revision = revisionNumber(kind, item);
      if (revision === undefined) return [];
      const metadata = metadataOf(item);
      const template = recordedTemplate(kind, item);
      const changeCause = asString(asObject(metadata['annotations'])[CHANGE_CAUSE_ANNOTATION]) || undefined;
      return [{ revision, name: asString(metadata['name']) ?? '', created: asString(metadata['creationTimestamp']), changeCause, images: templateImages(template), template, current: false }];
    })
    .sort((a, b) => b.revision - a.revision);
  const ownerRevision = kind === 'deployments' ? revisionNumber('deployments', owner) : undefined;
  const updateRevision = kind === 'statefulsets' ? asString(asObject(asObject(owner)['status'])['updateRevision']) : undefined;
  const current =
    (ownerRevision !== undefined ? revisions.find((r) => r.revision === ownerRevision) : undefined) ?? (updateRevision ? revisions.find((r) => r.name === updateRevision) : undefined) ?? revisions[0];
  if (current) current.current = true;
  return revisions;
}

/** What rolling a workload back to one revision does, decided before anything is sent. */
export type RollbackPlan =
  | {
      action: 'patch';
      /** `json`: a JSON patch (RFC 6902), as kubectl sends for a Deployment; `strategic`: a strategic merge patch (StatefulSet, DaemonSet). */
      patchType: 'json' | 'strategic';
      /** The body to PATCH the workload with. */
      patch: Json;
    }
  /** Nothing to do: the workload's template already is that revision's (kubectl: "skipped rollback"). */
  | { action: 'skip'; reason: string }
  /** kubectl refuses it: a paused Deployment. */
  | { action: 'refuse'; reason: string };

/** JSON with keys sorted and empty maps, lists and nulls dropped: Go's semantic equality treats nil and empty alike. */
function canonical(value: Json): Json {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, Json>)
      .map(([k, v]) => [k, canonical(v)] as const)
      .filter(([, v]) => !(v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0)))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries);
  }
  return value;
}

/** Two JSON values equal as Kubernetes' semantic equality sees them (key order, nil and empty do not matter). */
export function sameJson(a: Json, b: Json): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * The change `kubectl rollout undo --to-revision=<n>` makes, for the workload `live` (as read)
 * and the ReplicaSet or ControllerRevision `target` that records revision n. It follows
 * kubectl's rollbackers (k8s.io/kubectl/pkg/polymorphichelpers/rollback.go):
 * - Deployment (`DeploymentRollbacker.Rollback`): refused while `spec.paused`; skipped when the
 *   ReplicaSet's template equals the Deployment's ignoring `pod-template-hash` (`equalIgnoreHash`);
 *   else a JSON patch (`getDeploymentPatch`) replacing `/spec/template` with the ReplicaSet's
 *   template minus that label, and `/metadata/annotations` with the Deployment's own
 *   {@link ROLLBACK_KEEPS_ANNOTATIONS} plus every other annotation of the ReplicaSet.
 * - StatefulSet, DaemonSet (`StatefulSetRollbacker`, `DaemonSetRollbacker`): skipped when the
 *   ControllerRevision's data equals the patch the live template would make (`statefulsetMatch`,
 *   `daemonSetMatch`); else its `data` as a strategic merge patch.
 *
 * With `resourceVersion` the patch also carries the live object's `metadata.resourceVersion`, so
 * the API server answers 409 Conflict instead of applying it to an object changed since it was
 * read (kubectl itself patches unconditionally).
 */
export function rollbackPlan(kind: RolloutKind, live: Json, target: Json, resourceVersion?: string): RollbackPlan {
  const revision = revisionNumber(kind, target);
  const liveSpec = asObject(asObject(live)['spec']);
  if (kind === 'deployments') {
    if (liveSpec['paused'] === true) return { action: 'refuse', reason: `you cannot roll back a paused Deployment; resume it first and try again` };
    const template = recordedTemplate('deployments', target);
    if (sameJson(template, withoutHashLabel(liveSpec['template']))) return { action: 'skip', reason: `the current template already matches revision ${revision}` };
    const liveAnnotations = asObject(metadataOf(live)['annotations']);
    const annotations: Record<string, Json> = {};
    for (const key of ROLLBACK_KEEPS_ANNOTATIONS) if (key in liveAnnotations) annotations[key] = liveAnnotations[key];
    for (const [key, value] of Object.entries(asObject(metadataOf(target)['annotations']))) if (!ROLLBACK_KEEPS_ANNOTATIONS.includes(key)) annotations[key] = value;
    const ops: Json[] = [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ];
    if (resourceVersion) ops.push({ op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion });
    return { action: 'patch', patchType: 'json', patch: ops };
  }
  const data = asObject(asObject(target)['data']);
  if (sameJson(data, { spec: { template: { ...asObject(liveSpec['template']), $patch: 'replace' } } })) return { action: 'skip', reason: `the current template already matches revision ${revision}` };
  const patch = structuredClone(data);
  if (resourceVersion) patch['metadata'] = { ...asObject(patch['metadata']), resourceVersion };
  return { action: 'patch', patchType: 'strategic', patch };
}

/** Where a rollout stands, as `kubectl rollout status` says it, with the counts behind it. */
export interface RolloutProgress {
  /** Pods wanted: `spec.replicas` (Deployment, StatefulSet) or `status.desiredNumberScheduled` (DaemonSet). */
  desired: number;
  /** Pods of the current revision. */
  updated: number;
  ready: number;
  available: number;
  /** kubectl's message, without its trailing newline ("deployment "web" successfully rolled out"). */
  message: string;
  /** The rollout finished (kubectl rollout status exits 0). */
  done: boolean;
  /** It cannot finish as it stands (progress deadline exceeded; kubectl rollout status exits 1). */
  failed: boolean;
  /** A Deployment's `spec.paused`. */
  paused: boolean;
  /** The Deployment's Progressing condition, when it has one. */
  progressing?: { status: string; reason: string; message: string };
}

const count = (value: Json) => asNumber(value) ?? 0;

/**
 * A rollout's progress, following `kubectl rollout status` (rollout_status.go: the
 * `DeploymentStatusViewer`, `DaemonSetStatusViewer` and `StatefulSetStatusViewer` `Status`
 * functions) message for message. A strategy other than RollingUpdate (StatefulSet, DaemonSet)
 * has no rollout to follow: `done` and `failed` are then both false and the message says so.
 */
export function rolloutProgress(kind: RolloutKind, object: Json): RolloutProgress {
  const o = asObject(object);
  const name = asString(metadataOf(o)['name']) ?? '';
  const generation = count(metadataOf(o)['generation']);
  const spec = asObject(o['spec']);
  const status = asObject(o['status']);
  const observed = count(status['observedGeneration']);
  const paused = spec['paused'] === true;
  const replicas = asNumber(spec['replicas']);
  const result = (fields: Omit<RolloutProgress, 'paused' | 'failed'> & { failed?: boolean }): RolloutProgress => ({ failed: false, paused, ...fields });

  if (kind === 'deployments') {
    const condition = asArray(status['conditions']).map(asObject).find((c) => c['type'] === 'Progressing');
    const progressing = condition ? { status: asString(condition['status']) ?? '', reason: asString(condition['reason']) ?? '', message: asString(condition['message']) ?? '' } : undefined;
    const counts = { desired: replicas ?? 1, updated: count(status['updatedReplicas']), ready: count(status['readyReplicas']), available: count(status['availableReplicas']), progressing };
    if (generation > observed) return result({ ...counts, message: 'Waiting for deployment spec update to be observed...', done: false });
    if (progressing?.reason === 'ProgressDeadlineExceeded') return result({ ...counts, message: `deployment "${name}" exceeded its progress deadline`, done: false, failed: true });
    if (replicas !== undefined && counts.updated < replicas) return result({ ...counts, message: `Waiting for deployment "${name}" rollout to finish: ${counts.updated} out of ${replicas} new replicas have been updated...`, done: false });
    const total = count(status['replicas']);
    if (total > counts.updated) return result({ ...counts, message: `Waiting for deployment "${name}" rollout to finish: ${total - counts.updated} old replicas are pending termination...`, done: false });
    if (counts.available < counts.updated) return result({ ...counts, message: `Waiting for deployment "${name}" rollout to finish: ${counts.available} of ${counts.updated} updated replicas are available...`, done: false });
    return result({ ...counts, message: `deployment "${name}" successfully rolled out`, done: true });
  }

  const strategy = asObject(spec['updateStrategy']);
  // The API server defaults the strategy to RollingUpdate; an object read without it is treated the same.
  const rolling = (asString(strategy['type']) ?? 'RollingUpdate') === 'RollingUpdate';
  if (kind === 'daemonsets') {
    const desired = count(status['desiredNumberScheduled']);
    const counts = { desired, updated: count(status['updatedNumberScheduled']), ready: count(status['numberReady']), available: count(status['numberAvailable']) };
    if (!rolling) return result({ ...counts, message: 'rollout status is only available for RollingUpdate strategy type', done: false });
    if (generation > observed) return result({ ...counts, message: 'Waiting for daemon set spec update to be observed...', done: false });
    if (counts.updated < desired) return result({ ...counts, message: `Waiting for daemon set "${name}" rollout to finish: ${counts.updated} out of ${desired} new pods have been updated...`, done: false });
    if (counts.available < desired) return result({ ...counts, message: `Waiting for daemon set "${name}" rollout to finish: ${counts.available} of ${desired} updated pods are available...`, done: false });
    return result({ ...counts, message: `daemon set "${name}" successfully rolled out`, done: true });
  }

  const counts = { desired: replicas ?? 1, updated: count(status['updatedReplicas']), ready: count(status['readyReplicas']), available: count(status['availableReplicas']) };
  if (!rolling) return result({ ...counts, message: 'rollout status is only available for RollingUpdate strategy type', done: false });
  if (observed === 0 || generation > observed) return result({ ...counts, message: 'Waiting for statefulset spec update to be observed...', done: false });
  if (replicas !== undefined && counts.ready < replicas) return result({ ...counts, message: `Waiting for ${replicas - counts.ready} pods to be ready...`, done: false });
  const rollingUpdate = strategy['rollingUpdate'];
  if (rollingUpdate !== undefined && rollingUpdate !== null) {
    const partition = asNumber(asObject(rollingUpdate)['partition']);
    if (replicas !== undefined && partition !== undefined && counts.updated < replicas - partition) {
      return result({ ...counts, message: `Waiting for partitioned roll out to finish: ${counts.updated} out of ${replicas - partition} new pods have been updated...`, done: false });
    }
    return result({ ...counts, message: `partitioned roll out complete: ${counts.updated} new pods have been updated...`, done: true });
  }
  const updateRevision = asString(status['updateRevision']) ?? '';
  if (updateRevision !== (asString(status['currentRevision']) ?? '')) {
    return result({ ...counts, message: `waiting for statefulset rolling update to complete ${counts.updated} pods at revision ${updateRevision}...`, done: false });
  }
  return result({ ...counts, message: `statefulset rolling update complete ${count(status['currentReplicas'])} pods at revision ${updateRevision}...`, done: true });
}

/** At most this many revisions are drawn at once; a workload may keep any number (`spec.revisionHistoryLimit`). */
export const MAX_REVISIONS_SHOWN = 50;

/**
 * The revisions to draw from a history (newest first): the newest `max`, the current one always
 * among them (after a rollback it may be any), and how many older ones are left out.
 */
export function shownRevisions(revisions: Revision[], max = MAX_REVISIONS_SHOWN): { shown: Revision[]; hidden: number } {
  if (revisions.length <= max) return { shown: revisions, hidden: 0 };
  const shown = revisions.slice(0, max);
  const current = revisions.find((r) => r.current);
  if (current && !shown.includes(current)) shown.splice(max - 1, 1, current);
  return { shown, hidden: revisions.length - max };
}
