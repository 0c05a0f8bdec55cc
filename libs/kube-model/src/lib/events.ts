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
