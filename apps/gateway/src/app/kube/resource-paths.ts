import { BadRequestException } from '@nestjs/common';

/**
 * Builds API-server paths from what a browser sent, refusing anything that could step
 * outside the resource it names (no `..`, no slashes, no query smuggling).
 */

const GROUP = /^(core|[a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;
const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/;
const RESOURCE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
// Object names: DNS subdomains, plus the colons and @ of RBAC names (system:controller:x).
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9._:@]*[A-Za-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function check(kind: string, value: string | undefined, pattern: RegExp): string {
  if (value === undefined || value.length > 253 || !pattern.test(value)) {
    throw new BadRequestException(`"${value ?? ''}" is not a valid ${kind}.`);
  }
  return value;
}

export interface ResourceRef {
  /** API group; `core` for the legacy core group. */
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export function checkedRef(ref: ResourceRef): ResourceRef {
  return {
    group: check('API group', ref.group, GROUP),
    version: check('API version', ref.version, VERSION),
    resource: check('resource', ref.resource, RESOURCE),
    namespace: ref.namespace === undefined || ref.namespace === '' ? undefined : check('namespace', ref.namespace, NAMESPACE),
    name: ref.name === undefined ? undefined : check('name', ref.name, NAME),
    subresource: ref.subresource === undefined ? undefined : check('subresource', ref.subresource, RESOURCE),
  };
}

/** `/api/v1/namespaces/ns/pods/name/log` and the like. */
export function resourcePath(ref: ResourceRef): string {
  const r = checkedRef(ref);
  const base = r.group === 'core' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const ns = r.namespace ? `/namespaces/${r.namespace}` : '';
  return `${base}${ns}/${r.resource}${r.name ? `/${r.name}` : ''}${r.subresource ? `/${r.subresource}` : ''}`;
}

/** A query string of the given parameters that are set, URL-encoded. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function optionalInt(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new BadRequestException(`${name} must be a whole number from ${min} to ${max}, got "${value}".`);
  return n;
}

export function optionalBool(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new BadRequestException(`${name} must be true or false, got "${value}".`);
}
