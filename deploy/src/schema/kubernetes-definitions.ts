/**
 * Turns the API server's own OpenAPI v3 definitions into draft-07 JSON-schema definitions
 * for values.schema.json: only the closure of the types the chart takes, without
 * descriptions and Kubernetes extensions, and closed — every object that lists its
 * properties gets `additionalProperties: false`, as the API server's strict field
 * validation would treat it — so a misplaced field fails `helm install` by name.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const OPENAPI_PREFIX = '#/components/schemas/';
/** Kept from the OpenAPI schemas; everything else (descriptions, x-kubernetes-*, defaults, formats) is dropped. */
const KEPT = new Set(['type', 'properties', 'items', 'additionalProperties', 'required', 'enum', 'oneOf', 'anyOf', 'allOf', '$ref']);

/** The OpenAPI documents to read: core and networking hold every type the chart takes. */
export const OPENAPI_PATHS = ['/openapi/v3/api/v1', '/openapi/v3/apis/networking.k8s.io/v1'] as const;

export function kubernetesDefinitions(documents: readonly JsonObject[], roots: readonly string[]): Record<string, Json> {
  const all = new Map<string, JsonObject>();
  for (const doc of documents) {
    const schemas = ((doc['components'] as JsonObject | undefined)?.['schemas'] ?? {}) as Record<string, JsonObject>;
    for (const [name, schema] of Object.entries(schemas)) all.set(name, schema);
  }
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    const schema = all.get(name);
    if (!schema) throw new Error(`the API server's OpenAPI documents have no definition ${name}`);
    needed.add(name);
    forEachRef(schema, visit);
  };
  roots.forEach(visit);
  const out: Record<string, Json> = {};
  for (const name of [...needed].sort()) out[name] = strict(all.get(name) as JsonObject);
  return out;
}

function forEachRef(node: Json, visit: (name: string) => void): void {
  if (Array.isArray(node)) node.forEach((n) => forEachRef(n, visit));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(OPENAPI_PREFIX)) visit(value.slice(OPENAPI_PREFIX.length));
      else forEachRef(value, visit);
    }
  }
}

function strict(node: Json): Json {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  // `allOf: [{$ref}]` is how OpenAPI v3 puts a description beside a reference; draft-07
  // ignores siblings of $ref, so the reference alone says the same.
  const allOf = node['allOf'];
  if (Array.isArray(allOf) && allOf.length === 1 && !node['properties']) return strict(allOf[0] as Json);
  const out: JsonObject = {};
  for (const key of Object.keys(node).sort()) {
    if (!KEPT.has(key)) continue;
    const value = node[key] as Json;
    if (key === '$ref') out[key] = `#/definitions/${(value as string).slice(OPENAPI_PREFIX.length)}`;
    else if (key === 'properties') {
      const props: JsonObject = {};
      for (const name of Object.keys(value as JsonObject).sort()) props[name] = strict((value as JsonObject)[name] as Json);
      out[key] = props;
    } else out[key] = strict(value);
  }
  // Closed objects: listed properties and nothing else. An object type that lists none
  // (FieldsV1: managed-fields bookkeeping) is closed too: no values file has reason to set it.
  if ((out['type'] === 'object' || out['properties']) && out['additionalProperties'] === undefined) out['additionalProperties'] = false;
  return out;
}
