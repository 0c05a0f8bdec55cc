import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SettingError, SettingsReader } from '@cairn/server-runtime';
import { dns1123LabelProblem, labelKeyProblem, labelValueProblem, NAMESPACE_DISCOVERY_METHODS, NamespaceDiscoveryMethod } from '@cairn/kube-model';
import type { ClusterConfig } from '../clusters/kubeconfig';

/**
 * How people who may not list namespaces find theirs (CAIRN_NAMESPACE_DISCOVERY…), read once at
 * start; undefined when discovery is off.
 */
export interface NamespaceDiscoverySettings {
  /** CAIRN_NAMESPACE_DISCOVERY: `labelled`, `groups`, or both. */
  methods: NamespaceDiscoveryMethod[];
  /** CAIRN_NAMESPACE_DISCOVERY_LABEL as a label selector (`key=value`): the labelled candidates. */
  labelSelector: string;
  /** CAIRN_NAMESPACE_DISCOVERY_GROUPS: group name (as the verified ID token's `groups` claim holds it) → namespaces. */
  groups: Record<string, string[]>;
  /** CAIRN_NAMESPACE_DISCOVERY_CLUSTERS: the configured clusters it applies to (where the gateway's ServiceAccount token is valid, for `labelled`). */
  clusters: string[];
  /** CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES: candidates checked per caller, at most (each one access review). */
  maxCandidates: number;
  /** CAIRN_NAMESPACE_DISCOVERY_CACHE_SECONDS: how long a caller's answer is kept (0: not kept). */
  cacheSeconds: number;
}

export const DEFAULT_DISCOVERY_LABEL = 'cairn.io/tenant-visible=true';
/** Groups in CAIRN_NAMESPACE_DISCOVERY_GROUPS, and namespaces per group, at most: a setting, not a database. */
export const MAX_DISCOVERY_GROUPS = 1000;
export const MAX_NAMESPACES_PER_GROUP = 500;

/**
 * Reads the CAIRN_NAMESPACE_DISCOVERY settings; a bad value stops the gateway with a message
 * naming the setting: an unknown method, a label that is not `key=value` with a valid key and
 * value, a group mapping that is not a JSON object of arrays of namespace names, a cluster that
 * is not configured, no cluster at all, or `labelled` without a ServiceAccount token to list with.
 */
export function readNamespaceDiscovery(read: SettingsReader, clusters: readonly ClusterConfig[], serviceAccountDir: string): NamespaceDiscoverySettings | undefined {
  const text = read.string('CAIRN_NAMESPACE_DISCOVERY', '').trim();
  if (!text || text === 'off') return undefined;
  const methods = [...new Set(text.split(',').map((m) => m.trim()).filter(Boolean))];
  for (const method of methods) {
    if (!(NAMESPACE_DISCOVERY_METHODS as readonly string[]).includes(method)) {
      throw new SettingError('CAIRN_NAMESPACE_DISCOVERY', `"${method.slice(0, 40)}" is not a method: use off, ${NAMESPACE_DISCOVERY_METHODS.join(', ')}, or both separated by a comma`);
    }
  }
  const chosen = NAMESPACE_DISCOVERY_METHODS.filter((m) => methods.includes(m));

  const label = read.string('CAIRN_NAMESPACE_DISCOVERY_LABEL', DEFAULT_DISCOVERY_LABEL).trim();
  const [key, value, ...rest] = label.split('=');
  const labelProblem = rest.length || value === undefined ? `is not key=value (e.g. ${DEFAULT_DISCOVERY_LABEL})` : (labelKeyProblem(key ?? '') ?? labelValueProblem(value));
  if (labelProblem) throw new SettingError('CAIRN_NAMESPACE_DISCOVERY_LABEL', `"${label.slice(0, 80)}": ${labelProblem}`);

  const groups = readGroups(read);
  if (chosen.includes('groups') && Object.keys(groups).length === 0) {
    throw new SettingError('CAIRN_NAMESPACE_DISCOVERY_GROUPS', 'is needed by the groups method: a JSON object from group names to namespaces, e.g. {"team-a-devs":["team-a"]}');
  }

  const named = read.string('CAIRN_NAMESPACE_DISCOVERY_CLUSTERS', '').split(',').map((c) => c.trim()).filter(Boolean);
  const inCluster = clusters.find((c) => c.source === 'in-cluster');
  const applies = named.length ? named : inCluster ? [inCluster.name] : [];
  if (!applies.length) {
    throw new SettingError('CAIRN_NAMESPACE_DISCOVERY_CLUSTERS', 'is needed: the gateway is not in a cluster, so name the configured clusters (KUBECONFIG contexts) where its ServiceAccount token is valid');
  }
  for (const name of applies) {
    if (!clusters.some((c) => c.name === name)) {
      throw new SettingError('CAIRN_NAMESPACE_DISCOVERY_CLUSTERS', `"${name.slice(0, 80)}" is not a configured cluster (configured: ${clusters.map((c) => c.name).join(', ') || 'none'})`);
    }
  }
  if (chosen.includes('labelled') && !existsSync(join(serviceAccountDir, 'token'))) {
    throw new SettingError('CAIRN_NAMESPACE_DISCOVERY', `labelled lists namespaces with the gateway's own ServiceAccount, but ${join(serviceAccountDir, 'token')} is missing (CAIRN_SERVICE_ACCOUNT_DIR)`);
  }
  return {
    methods: chosen,
    labelSelector: `${key}=${value}`,
    groups,
    clusters: applies,
    maxCandidates: read.count('CAIRN_NAMESPACE_DISCOVERY_MAX_CANDIDATES', 50, 1, 500),
    cacheSeconds: read.count('CAIRN_NAMESPACE_DISCOVERY_CACHE_SECONDS', 30, 0, 600),
  };
}

function readGroups(read: SettingsReader): Record<string, string[]> {
  const text = read.string('CAIRN_NAMESPACE_DISCOVERY_GROUPS', '').trim();
  if (!text) return {};
  const fail = (detail: string) => new SettingError('CAIRN_NAMESPACE_DISCOVERY_GROUPS', `${detail}; it must be a JSON object from group names to lists of namespaces, e.g. {"team-a-devs":["team-a"]}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail('is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw fail('is not a JSON object');
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length > MAX_DISCOVERY_GROUPS) throw fail(`names ${entries.length} groups, more than ${MAX_DISCOVERY_GROUPS}`);
  const groups: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [group, namespaces] of entries) {
    if (!group) throw fail('names an empty group');
    if (!Array.isArray(namespaces)) throw fail(`gives group "${group.slice(0, 80)}" something that is not a list`);
    if (namespaces.length > MAX_NAMESPACES_PER_GROUP) throw fail(`gives group "${group.slice(0, 80)}" ${namespaces.length} namespaces, more than ${MAX_NAMESPACES_PER_GROUP}`);
    for (const ns of namespaces) {
      const problem = typeof ns === 'string' ? dns1123LabelProblem(ns) : 'is not a string';
      if (problem) throw fail(`gives group "${group.slice(0, 80)}" the namespace ${JSON.stringify(ns).slice(0, 80)}, which ${problem}`);
    }
    groups[group] = namespaces as string[];
  }
  return groups;
}
