import { asArray, asObject, asString, Json } from './json-shape';

/**
 * kubectl drain's rules (k8s.io/kubectl/pkg/drain, its pod filters), once, for the gateway
 * that enforces them and the console that shows the plan before anything is changed.
 */

/** Why a pod on the node is not simply evicted. */
export type DrainConcern = 'no controller' | 'emptyDir data';

export interface DrainPod {
  namespace: string;
  name: string;
}

export interface DrainPlan {
  /** Evicted (with the user's consent, for those `needsConsent` also lists). */
  evict: DrainPod[];
  /** Left running: DaemonSet pods (as `--ignore-daemonsets`) and mirror (static) pods. */
  skipped: Array<DrainPod & { reason: 'DaemonSet' | 'mirror pod' }>;
  /** Pods kubectl refuses unless told: no controller (`--force`), emptyDir data (`--delete-emptydir-data`). */
  needsConsent: Array<DrainPod & { concerns: DrainConcern[] }>;
}

export interface DrainConsent {
  /** kubectl's `--force`: evict pods no controller will recreate. */
  force?: boolean;
  /** kubectl's `--delete-emptydir-data`: evict pods whose emptyDir data is lost with them. */
  deleteEmptyDirData?: boolean;
}

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

function controllerOf(pod: Json): Record<string, unknown> | undefined {
  return asArray(asObject(asObject(pod)['metadata'])['ownerReferences'])
    .map(asObject)
    .find((ref) => ref['controller'] === true);
}

/** A pod that has finished (Succeeded or Failed) loses nothing when evicted: kubectl lets it go without consent. */
function finished(pod: Json): boolean {
  const phase = asString(asObject(asObject(pod)['status'])['phase']);
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The plan for the pods on one node, in kubectl's filter order: DaemonSet, mirror, emptyDir, no controller. */
export function drainPlan(pods: Json[]): DrainPlan {
  const plan: DrainPlan = { evict: [], skipped: [], needsConsent: [] };
  for (const pod of pods) {
    const metadata = asObject(asObject(pod)['metadata']);
    const ref = { namespace: asString(metadata['namespace']) ?? '', name: asString(metadata['name']) ?? '' };
    if (controllerOf(pod)?.['kind'] === 'DaemonSet') {
      plan.skipped.push({ ...ref, reason: 'DaemonSet' });
      continue;
    }
    if (asObject(metadata['annotations'])[MIRROR_ANNOTATION] !== undefined) {
      plan.skipped.push({ ...ref, reason: 'mirror pod' });
      continue;
    }
    const concerns: DrainConcern[] = [];
    if (!finished(pod)) {
      if (asArray(asObject(asObject(pod)['spec'])['volumes']).some((v) => asObject(v)['emptyDir'] !== undefined)) concerns.push('emptyDir data');
      if (!controllerOf(pod)) concerns.push('no controller');
    }
    if (concerns.length) plan.needsConsent.push({ ...ref, concerns });
    plan.evict.push(ref);
  }
  return plan;
}

/** The pods of the plan that `consent` does not cover, with what each still needs. */
export function drainRefusals(plan: DrainPlan, consent: DrainConsent): Array<DrainPod & { concerns: DrainConcern[] }> {
  return plan.needsConsent
    .map((p) => ({ ...p, concerns: p.concerns.filter((c) => (c === 'no controller' ? !consent.force : !consent.deleteEmptyDirData)) }))
    .filter((p) => p.concerns.length > 0);
}

/** What kubectl's flag for a concern is called, for messages that say what to do. */
export function consentFlag(concern: DrainConcern): string {
  return concern === 'no controller' ? 'force (--force)' : 'delete emptyDir data (--delete-emptydir-data)';
}

/** Whether a label selector (matchLabels and matchExpressions) selects `labels`; an empty selector selects everything, a missing one nothing. */
export function selectorMatches(selector: Json | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined || selector === null) return false;
  const matchLabels = asObject(asObject(selector)['matchLabels']);
  for (const [key, value] of Object.entries(matchLabels)) if (labels[key] !== value) return false;
  for (const expression of asArray(asObject(selector)['matchExpressions']).map(asObject)) {
    const key = asString(expression['key']) ?? '';
    const values = asArray(expression['values']).map((v) => asString(v) ?? '');
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (asString(expression['operator'])) {
      case 'In':
        if (!has || !values.includes(labels[key] ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
