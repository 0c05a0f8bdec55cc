import { asArray, asObject, Json } from './json-shape';

/**
 * A node's STATUS as `kubectl get nodes` prints it (`printNode` in the API server's printers):
 * `Ready` when its Ready condition is True, `NotReady` when that condition is False *or*
 * Unknown (a node that stopped reporting), `Unknown` only without a Ready condition, and
 * `,SchedulingDisabled` when cordoned.
 */
export function nodeStatusText(node: Json): string {
  const object = asObject(node);
  const ready = asArray(asObject(object['status'])['conditions']).map(asObject).find((c) => c['type'] === 'Ready');
  const words = [ready ? (ready['status'] === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (asObject(object['spec'])['unschedulable'] === true) words.push('SchedulingDisabled');
  return words.join(',');
}
