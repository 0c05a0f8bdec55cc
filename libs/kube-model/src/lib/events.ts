import { asNumber, asObject, asString, Json } from './json-shape';

/**
 * When an event was last seen and how often, as `kubectl get events` prints LAST SEEN and
 * COUNT (`printEvent` in the API server's printers): a series' last observation when the event
 * is a series, else `lastTimestamp`, else `firstTimestamp`, else `eventTime` (events.k8s.io/v1
 * events carry only that); the count of the series, else `count`, else 1.
 */
export function eventLastSeen(event: Json): string | undefined {
  const e = asObject(event);
  const series = e['series'] === undefined || e['series'] === null ? undefined : asObject(e['series']);
  return (series ? asString(series['lastObservedTime']) : undefined) || asString(e['lastTimestamp']) || asString(e['firstTimestamp']) || asString(e['eventTime']) || undefined;
}

export function eventCount(event: Json): number {
  const e = asObject(event);
  const series = e['series'] === undefined || e['series'] === null ? undefined : asObject(e['series']);
  return (series ? asNumber(series['count']) : undefined) ?? asNumber(e['count']) ?? 1;
}

/** Events newest first, by `eventLastSeen`. */
export function byLastSeen(a: Json, b: Json): number {
  return (Date.parse(eventLastSeen(b) ?? '') || 0) - (Date.parse(eventLastSeen(a) ?? '') || 0);
}

/** What an event is about (`involvedObject`, or events.k8s.io/v1's `regarding`). */
export interface InvolvedObject {
  kind: string;
  namespace: string;
  name: string;
}

export function involvedObject(event: Json): InvolvedObject {
  const e = asObject(event);
  const o = asObject(e['involvedObject'] ?? e['regarding']);
  return { kind: asString(o['kind']) ?? '', namespace: asString(o['namespace']) ?? '', name: asString(o['name']) ?? '' };
}

/** Events about one object, newest first. */
export interface EventGroup<T> {
  object: InvolvedObject;
  /** `kind/namespace/name`, unique per object. */
  key: string;
  events: T[];
  /** The newest event's LAST SEEN (`eventLastSeen`). */
  lastSeen: string | undefined;
}

/**
 * Events grouped by the object they are about, as `kubectl events --for` would show each: the
 * groups with the most recent event first, each group's events newest first (`byLastSeen`).
 */
export function groupByInvolvedObject<T extends Json>(events: readonly T[]): EventGroup<T>[] {
  const groups = new Map<string, EventGroup<T>>();
  for (const event of [...events].sort(byLastSeen)) {
    const object = involvedObject(event);
    const key = `${object.kind}/${object.namespace}/${object.name}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { object, key, events: [], lastSeen: eventLastSeen(event) }));
    group.events.push(event);
  }
  return [...groups.values()];
}

/** Filters of an event stream, each matched exactly by the API server. */
export interface EventFilter {
  type?: 'Normal' | 'Warning';
  reason?: string;
  kind?: string;
  name?: string;
}

/**
 * The `fieldSelector` for an event filter, the one `kubectl get events --field-selector` takes:
 * the core/v1 Event fields the API server selects on (`type`, `reason`, `involvedObject.kind`,
 * `involvedObject.name`; see the Event field label conversion in the API server). Values are
 * trimmed; a value with `,`, `=` or `!` (which a selector cannot carry) is refused with an Error
 * naming the filter. Undefined when nothing is filtered.
 */
export function eventFieldSelector(filter: EventFilter): string | undefined {
  const parts: string[] = [];
  const fields: Array<[keyof EventFilter, string]> = [['type', 'type'], ['reason', 'reason'], ['kind', 'involvedObject.kind'], ['name', 'involvedObject.name']];
  for (const [key, field] of fields) {
    const value = filter[key]?.trim();
    if (!value) continue;
    if (/[,=!\\]/.test(value)) throw new Error(`The ${key} filter cannot contain ",", "=", "!" or "\\" (got "${value}").`);
    parts.push(`${field}=${value}`);
  }
  return parts.join(',') || undefined;
}
