import { asArray, asObject, asString, type Json } from './json-shape';

/** The kind a new object is made of: `group` is `core` (or empty) for the legacy group. */
export interface TemplateKind {
  group: string;
  version: string;
  kind: string;
  /** Cluster-scoped kinds get no metadata.namespace. */
  namespaced: boolean;
}

/** A starting point for a new object, and where it came from (for the person to read). */
export interface CreateTemplate {
  object: Record<string, unknown>;
  /** `built-in`: Cairn's own minimal template; `schema`: from the OpenAPI schema the cluster publishes; `none`: no schema, apiVersion/kind/metadata only. */
  source: 'built-in' | 'schema' | 'none';
  /** One sentence about the template, e.g. that no schema was published. */
  note: string;
}

/** How deep a generated template follows required fields (schemas such as JSONSchemaProps refer to themselves). */
export const MAX_TEMPLATE_DEPTH = 12;

/** The placeholder for a required string: the field's name in angle brackets, for the person to replace. */
export const placeholder = (field: string): string => `<${field}>`;

/** `apps/v1`, or `v1` for the legacy group. */
export function apiVersionOf(group: string, version: string): string {
  return !group || group === 'core' ? version : `${group}/${version}`;
}

/**
 * Where an API server publishes the OpenAPI v3 document of one group version:
 * `/openapi/v3/api/v1` for the legacy group, `/openapi/v3/apis/<group>/<version>` otherwise
 * (the OpenAPI v3 discovery the API server serves since 1.27; `kubectl explain` reads it).
 */
export function openApiV3Path(group: string, version: string): string {
  return !group || group === 'core' ? `/openapi/v3/api/${version}` : `/openapi/v3/apis/${group}/${version}`;
}

/**
 * The schema of `kind` in an OpenAPI v3 document of its group version: the entry of
 * `components.schemas` whose `x-kubernetes-group-version-kind` names it (the extension the API
 * server puts on every kind's schema, CRDs included). Undefined when the document has none.
 */
export function kindSchema(document: Json, kind: Pick<TemplateKind, 'group' | 'version' | 'kind'>): Record<string, Json> | undefined {
  const group = kind.group === 'core' ? '' : kind.group;
  const schemas = asObject(asObject(asObject(document)['components'])['schemas']);
  for (const schema of Object.values(schemas)) {
    const gvks = asArray(asObject(schema)['x-kubernetes-group-version-kind']).map(asObject);
    if (gvks.some((g) => (asString(g['group']) ?? '') === group && g['version'] === kind.version && g['kind'] === kind.kind)) return asObject(schema);
  }
  return undefined;
}

/**
 * A new object of `kind` generated from the OpenAPI v3 document the cluster publishes for its
 * group version (`openApiV3Path`): apiVersion and kind set, `metadata.name` a placeholder and
 * `metadata.namespace` the namespace (namespaced kinds only), then `spec` and every other
 * required top-level field, each filled with its required fields only, recursively: a string
 * gets `<field>` (or its enum's first value, or its default), a number its minimum (else 0), a
 * boolean false, a required array one item, an object its own required fields. `spec` is always
 * filled even where the schema does not require it (built-in kinds never mark it required),
 * as that is where a new object's wishes go. `status` never is. Follows `$ref` and a lone
 * `allOf` (how the API server writes a field's type) up to MAX_TEMPLATE_DEPTH levels.
 *
 * With no document, or no schema for the kind in it (`x-kubernetes-preserve-unknown-fields`
 * CRDs still have one, empty), the object is apiVersion, kind and metadata only, and the note
 * says so. Never throws: any JSON shape is read.
 */
export function templateFromSchema(document: Json | undefined, kind: TemplateKind, namespace: string | undefined): CreateTemplate {
  const object: Record<string, unknown> = {
    apiVersion: apiVersionOf(kind.group, kind.version),
    kind: kind.kind,
    metadata: { name: placeholder('name'), ...(kind.namespaced && namespace ? { namespace } : {}) },
  };
  const schema = document === undefined ? undefined : kindSchema(document, kind);
  if (!schema) {
    return { object, source: 'none', note: `The cluster publishes no OpenAPI schema for ${kind.kind} (${apiVersionOf(kind.group, kind.version)}): only apiVersion, kind and metadata are filled in.` };
  }
  const schemas = asObject(asObject(asObject(document)['components'])['schemas']);
  const root = resolve(schema, schemas);
  const properties = asObject(root['properties']);
  const required = new Set(asArray(root['required']).map((r) => asString(r)).filter((r): r is string => r !== undefined));
  if ('spec' in properties) required.add('spec');
  for (const field of ['apiVersion', 'kind', 'metadata', 'status']) required.delete(field);
  for (const field of required) object[field] = fill(properties[field], schemas, field, 1);
  const filled = Object.keys(object).length > 3;
  return {
    object,
    source: 'schema',
    note: filled
      ? `From the OpenAPI schema the cluster publishes for ${kind.kind}: its required fields hold placeholders to fill in.`
      : `The OpenAPI schema the cluster publishes for ${kind.kind} requires nothing beyond metadata: add the fields you need.`,
  };
}

/** A schema with its `$ref` (or lone `allOf` of one `$ref`) followed. */
function resolve(schema: Json, schemas: Record<string, Json>): Record<string, Json> {
  let current = asObject(schema);
  for (let hops = 0; hops < 5; hops++) {
    const allOf = asArray(current['allOf']);
    const ref = asString(current['$ref']) ?? (allOf.length === 1 ? asString(asObject(allOf[0])['$ref']) : undefined);
    if (!ref) break;
    const target = asObject(schemas[ref.replace(/^#\/components\/schemas\//, '')]);
    // The field's own facts (default, enum) win over the referenced type's.
    current = { ...target, ...Object.fromEntries(Object.entries(current).filter(([k]) => k !== '$ref' && k !== 'allOf')) };
  }
  return current;
}

function fill(schema: Json, schemas: Record<string, Json>, field: string, depth: number): unknown {
  const s = resolve(schema, schemas);
  const enumValues = asArray(s['enum']);
  if (enumValues.length) return enumValues[0];
  const type = asString(s['type']);
  const scalarDefault = s['default'] !== undefined && (s['default'] === null || typeof s['default'] !== 'object') ? s['default'] : undefined;
  if (s['x-kubernetes-int-or-string'] === true) return scalarDefault ?? placeholder(field);
  if (type === 'string') return scalarDefault ?? placeholder(field);
  if (type === 'integer' || type === 'number') {
    if (scalarDefault !== undefined) return scalarDefault;
    const min = typeof s['minimum'] === 'number' ? s['minimum'] : 0;
    return s['exclusiveMinimum'] === true ? (type === 'integer' ? min + 1 : min + 0.1) : min;
  }
  if (type === 'boolean') return scalarDefault ?? false;
  if (depth >= MAX_TEMPLATE_DEPTH) return type === 'array' ? [] : {};
  if (type === 'array') return [fill(s['items'], schemas, field, depth + 1)];
  const properties = asObject(s['properties']);
  const out: Record<string, unknown> = {};
  for (const name of asArray(s['required'])) {
    if (typeof name === 'string') out[name] = fill(properties[name], schemas, name, depth + 1);
  }
  return out;
}
