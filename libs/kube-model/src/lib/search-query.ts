/**
 * Global search's query language, once, for the gateway (which runs it) and the search dialog
 * (which explains it): name substrings, `kind:` filters and label requirements in the label
 * selector syntax.
 *
 * Sources: k8s.io/apimachinery/pkg/labels (`Parse`: `key=value`, `key==value`, `key!=value`,
 * `key in (a,b)`, `key notin (a,b)`, `key`, `!key`, joined by commas; `NewRequirement`: `in` and
 * `notin` need at least one value, `=` and `!=` exactly one, every key `IsQualifiedName`, every
 * value `IsValidLabelValue` — kube-model's labels.ts), and kubectl's resource names
 * (k8s.io/client-go/restmapper `shortcutExpander` and the discovery RESTMapper: a kind is named
 * by its Kind, its plural resource, its singular, a short name from discovery, or
 * `resource.group`).
 */
import { labelKeyProblem, labelValueProblem } from './labels';

/** Longest query, in characters. */
export const MAX_SEARCH_QUERY = 512;
/** Most `kind:` names, label requirements and name terms in one query, together. */
export const MAX_SEARCH_TERMS = 20;

/** One requirement of a label selector (apimachinery's `labels.Requirement`). */
export interface LabelRequirement {
  key: string;
  /** `exists`: the bare `key`; `!`: `!key` (the label is absent). */
  operator: '=' | '!=' | 'in' | 'notin' | 'exists' | '!';
  /** One value for `=` and `!=`, at least one for `in` and `notin`, none otherwise. */
  values: string[];
}

/** A search query, read. */
export interface SearchQuery {
  /** Kind names as typed (lowercase): `deploy`, `pods`, `deployments.apps`. Empty: every kind. */
  kinds: string[];
  /** The label requirements, server-side `labelSelector` (see `requirementsText`). */
  labels: LabelRequirement[];
  /** Lowercase substrings every matching name holds. */
  nameTerms: string[];
}

/**
 * Reads a label selector as `kubectl get -l` takes it (apimachinery's `labels.Parse`, without
 * the numeric `gt`/`lt` operators): requirements joined by commas. Answers the requirements, or
 * `{ problem }` in words.
 */
export function parseLabelSelector(text: string): LabelRequirement[] | { problem: string } {
  const out: LabelRequirement[] = [];
  for (const part of splitOutsideParens(text, ',')) {
    const r = parseRequirement(part.trim());
    if ('problem' in r) return r;
    out.push(r);
  }
  return out;
}

/** The requirements as one `labelSelector` parameter, as the API server reads it. */
export function requirementsText(requirements: readonly LabelRequirement[]): string {
  return requirements
    .map((r) => {
      switch (r.operator) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.operator} (${r.values.join(',')})`;
        default:
          return `${r.key}${r.operator}${r.values[0] ?? ''}`;
      }
    })
    .join(',');
}

/**
 * Reads what a person types into global search. Words are separated by spaces:
 * - `kind:Deployment` (or `kind:deploy,po`): only these kinds;
 * - a label requirement: anything with `=`, `!=` or `==` (`app=web`, `tier!=db`), `!key`, or
 *   `key in (a,b)` / `key notin (a,b)` (spaces allowed inside the parentheses); several may be
 *   joined by commas (`app=web,tier!=db`), as `kubectl get -l` takes them;
 * - any other word: a piece of the name (case-insensitive); every piece must be in the name.
 *
 * Answers `{ problem }` in words for a query that cannot be run (too long, empty, a broken label
 * requirement, more than MAX_SEARCH_TERMS terms).
 */
export function parseSearchQuery(text: string): SearchQuery | { problem: string } {
  if (text.length > MAX_SEARCH_QUERY) return { problem: `the query is longer than ${MAX_SEARCH_QUERY} characters.` };
  const query: SearchQuery = { kinds: [], labels: [], nameTerms: [] };
  const words = splitOutsideParens(text.trim(), ' ').filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const next = words[i + 1]?.toLowerCase();
    if (/^kind:/i.test(word)) {
      const kinds = word.slice(5).split(',').map((k) => k.trim().toLowerCase()).filter(Boolean);
      if (!kinds.length) return { problem: 'write a kind after "kind:", e.g. kind:Deployment or kind:po.' };
      const bad = kinds.find((k) => !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(k));
      if (bad) return { problem: `"${bad}" is not a kind name (letters, digits, "-" and "." only), e.g. kind:Deployment, kind:deploy or kind:deployments.apps.` };
      query.kinds.push(...kinds);
    } else if ((next === 'in' || next === 'notin') && i + 2 < words.length) {
      const selector = parseLabelSelector(`${word} ${next} ${words[i + 2]}`);
      if ('problem' in selector) return selector;
      query.labels.push(...selector);
      i += 2;
    } else if (/[=!(),]/.test(word)) {
      const selector = parseLabelSelector(word);
      if ('problem' in selector) return selector;
      query.labels.push(...selector);
    } else {
      query.nameTerms.push(word.toLowerCase());
    }
  }
  const terms = query.kinds.length + query.labels.length + query.nameTerms.length;
  if (!terms) return { problem: 'write a name, a label selector (app=web) or a kind (kind:Deployment) to search for.' };
  if (terms > MAX_SEARCH_TERMS) return { problem: `the query has ${terms} terms; at most ${MAX_SEARCH_TERMS} are allowed.` };
  return { ...query, kinds: [...new Set(query.kinds)] };
}

/** Whether `name` holds every one of `terms` (lowercase), ignoring case. No terms: every name. */
export function nameMatches(name: string, terms: readonly string[]): boolean {
  if (!terms.length) return true;
  const lower = name.toLowerCase();
  return terms.every((t) => lower.includes(t));
}

/** A kind as discovery describes it, with what global search needs of it. */
export interface SearchableResource {
  /** `core` for the legacy group. */
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
  preferred: boolean;
  shortNames?: readonly string[];
  singular?: string;
}

/**
 * Kinds a search reads when no `kind:` is given: left out are the records about objects rather
 * than objects (Events, core and `events.k8s.io`), which name themselves after what they are
 * about and would bury it, as `kubectl get all` leaves them out.
 */
const NOT_SEARCHED_BY_DEFAULT = new Set(['core/events', 'events.k8s.io/events']);

/**
 * The kinds a search reads: those discovery says may be listed (`list` in verbs), in the
 * group's preferred version only (kubectl's RESTMapper picks it), each group/resource once;
 * with `kinds`, only those named (see `kindNameMatches`), Events included if named. Answers the
 * kinds and the names that matched nothing (to say so).
 */
export function searchableKinds<R extends SearchableResource>(resources: readonly R[], kinds: readonly string[] = []): { kinds: R[]; unknown: string[] } {
  const seen = new Set<string>();
  const listable = resources.filter((r) => {
    const key = `${r.group}/${r.resource}`;
    if (!r.preferred || !r.verbs.includes('list') || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (!kinds.length) return { kinds: listable.filter((r) => !NOT_SEARCHED_BY_DEFAULT.has(`${r.group}/${r.resource}`)), unknown: [] };
  const picked = listable.filter((r) => kinds.some((k) => kindNameMatches(r, k)));
  return { kinds: picked, unknown: kinds.filter((k) => !listable.some((r) => kindNameMatches(r, k))) };
}

/**
 * Whether kubectl would take `name` (any case) for this kind: its Kind (`Deployment`), plural
 * resource (`deployments`), singular (`deployment`), a short name discovery gives (`deploy`), or
 * any of these followed by `.` and the group (`deployments.apps`).
 */
export function kindNameMatches(r: SearchableResource, name: string): boolean {
  const n = name.toLowerCase();
  const names = [r.kind.toLowerCase(), r.resource, r.singular || r.kind.toLowerCase(), ...(r.shortNames ?? [])];
  if (names.includes(n)) return true;
  return r.group !== 'core' && names.some((x) => n === `${x}.${r.group}`);
}

function parseRequirement(text: string): LabelRequirement | { problem: string } {
  if (!text) return { problem: 'a label selector has an empty requirement (two commas in a row, or one at an end).' };
  const set = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (set) {
    const key = set[1] ?? '';
    const operator = set[2] as 'in' | 'notin';
    const values = (set[3] ?? '').split(',').map((v) => v.trim());
    if (!(set[3] ?? '').trim()) return { problem: `"${text}": for "${operator}", give at least one value, e.g. ${key} ${operator} (a,b).` };
    return checked({ key, operator, values });
  }
  if (/\s(in|notin)\s*\(/.test(text) || text.includes('(') || text.includes(')')) return { problem: `"${text}" is not a label requirement: write key in (a,b) or key notin (a,b).` };
  if (text.startsWith('!')) {
    if (/[=!]/.test(text.slice(1))) return { problem: `"${text}": "!" before a key means "without this label"; write !key, or key!=value.` };
    return checked({ key: text.slice(1), operator: '!', values: [] });
  }
  const op = /^([^=!]+)(==|=|!=)(.*)$/.exec(text);
  if (op) {
    if (/[=!]/.test(op[3] ?? '')) return { problem: `"${text}" has more than one operator; write key=value or key!=value.` };
    return checked({ key: (op[1] ?? '').trim(), operator: op[2] === '!=' ? '!=' : '=', values: [(op[3] ?? '').trim()] });
  }
  if (/[=!]/.test(text)) return { problem: `"${text}" is not a label requirement: write key=value, key!=value, key in (a,b), key notin (a,b), key or !key.` };
  return checked({ key: text, operator: 'exists', values: [] });
}

function checked(r: LabelRequirement): LabelRequirement | { problem: string } {
  const problem = labelKeyProblem(r.key) ?? r.values.map(labelValueProblem).find(Boolean);
  return problem ? { problem } : r;
}

/** Splits at `separator` where it is not inside parentheses (`env in (a, b)` stays one word). */
function splitOutsideParens(text: string, separator: ' ' | ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    const splits = depth === 0 && (separator === ' ' ? /\s/.test(ch) : ch === separator);
    if (splits) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return separator === ' ' ? out.filter((w) => w !== '') : out;
}
