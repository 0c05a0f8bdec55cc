/**
 * Readers for fields of objects that come from a cluster, where any field may have any JSON
 * shape: a CRD's `status.conditions` may be a map or a string, a controller may write a number
 * as a string. Each reader answers a fallback instead of throwing, so one odd object never
 * takes a view down; `text` draws any value as text.
 */
export type Json = unknown;

export const asObject = (value: Json): Record<string, Json> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, Json>) : {});
export const asArray = (value: Json): Json[] => (Array.isArray(value) ? value : []);
export const asString = (value: Json): string | undefined => (typeof value === 'string' ? value : undefined);
export const asNumber = (value: Json): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** Any value as one line of text: strings as they are, numbers and booleans printed, the rest as JSON. */
export function text(value: Json): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
