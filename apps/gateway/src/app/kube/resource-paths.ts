import { BadRequestException } from '@nestjs/common';
import { isKubeName, KUBE_NAME_RULES } from '@cairn/api-contracts/requests';

/**
 * Builds API-server paths, refusing anything that could step outside the resource it names
 * (no `..`, no slashes, no query smuggling). Request values reach it already validated by
 * the request schemas of `@cairn/api-contracts/requests`; the same name rules are checked
 * again here for values that come from elsewhere (discovery, an object's references).
 */

export interface ResourceRef {
  /** API group; `core` for the legacy core group. */
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function check(kind: keyof typeof KUBE_NAME_RULES, value: string | undefined): string {
  if (!isKubeName(kind, value)) throw new BadRequestException(`${kind} ${KUBE_NAME_RULES[kind]} (got ${JSON.stringify((value ?? '').slice(0, 80))}).`);
  return value;
}

/** `/api/v1/namespaces/ns/pods/name/log` and the like; a 400 naming the rule for a name that breaks one. */
export function resourcePath(ref: ResourceRef): string {
  const group = check('group', ref.group);
  const version = check('version', ref.version);
  const resource = check('resource', ref.resource);
  const namespace = ref.namespace === undefined || ref.namespace === '' ? undefined : check('namespace', ref.namespace);
  const name = ref.name === undefined ? undefined : check('name', ref.name);
  const subresource = ref.subresource === undefined ? undefined : check('resource', ref.subresource);
  const base = group === 'core' ? `/api/${version}` : `/apis/${group}/${version}`;
  // Names may hold characters a path must escape (RBAC's `Team Leads`, `oncall+sre`); the other parts cannot.
  return `${base}${namespace ? `/namespaces/${namespace}` : ''}/${resource}${name ? `/${encodeURIComponent(name)}` : ''}${subresource ? `/${subresource}` : ''}`;
}

/** A query string of the given parameters that are set, URL-encoded. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
