/**
 * The micro-frontend manifest: the document the shell fetches from the gateway at
 * `/mfe-manifest.json` on start, listing every remote it may load at run time.
 * Both the gateway (which assembles it from settings and built-in remotes) and the
 * shell (which trusts nothing it did not check) validate entries with the same rules.
 */
export interface MfeRemote {
  /** The remote's federation name, as in its `remoteEntry.json` (`name`). */
  name: string;
  /** URL of the remote's `remoteEntry.json`: absolute http(s), or a path on the console's origin. */
  remoteEntry: string;
  /** The module the remote exposes for the shell, e.g. `./routes`; it must export `routes`. */
  exposedModule: string;
  /** The first path segment the remote owns in the shell, e.g. `workloads`. */
  route: string;
  /** The navigation label. */
  label: string;
  /** An icon name from the shell's icon set; unknown names fall back to a generic icon. */
  icon?: string;
  /**
   * Subresource-integrity hash of the remote's `remoteEntry.json` (`sha256-<base64>`, also
   * sha384/sha512): the shell refuses the remote when the file it fetches has another hash.
   * The entry names the remote's content-hashed bundles, so pinning it pins which files load.
   */
  integrity?: string;
}

export interface MfeManifest {
  remotes: MfeRemote[];
}

/** First path segments the gateway answers itself; the shell's page is never served there. */
export const SERVER_PATHS: readonly string[] = ['api', 'auth', 'remotes', 'oidc-callback', 'healthz', 'readyz'];

/** Path segments the gateway and the shell use themselves; a remote cannot claim them. */
export const RESERVED_ROUTES: readonly string[] = [...SERVER_PATHS, 'sign-in'];

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const ROUTE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ICON = /^[a-z0-9-]{1,40}$/;
const MAX_LABEL = 40;
const INTEGRITY = /^sha(256|384|512)-[A-Za-z0-9+/]{43,86}={0,2}$/;

/** What is wrong with one manifest entry, worded for the person who wrote it. */
export interface MfeRemoteProblem {
  /** Where the entry came from and its position or name, e.g. `CAIRN_REMOTES_FILE[2]`. */
  source: string;
  message: string;
}

export type MfeRemoteCheck =
  | { ok: true; remote: MfeRemote }
  | { ok: false; problem: MfeRemoteProblem };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkRemoteEntryUrl(value: string): string | undefined {
  if (value.startsWith('/') && !value.startsWith('//')) {
    return value.endsWith('.json')
      ? undefined
      : `"remoteEntry" must point at the remote's remoteEntry.json, got "${value}"`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"remoteEntry" must be an http(s) URL or a path starting with "/", got "${value}"`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `"remoteEntry" must use http or https, got "${url.protocol}"`;
  }
  if (!url.pathname.endsWith('.json')) {
    return `"remoteEntry" must point at the remote's remoteEntry.json, got "${value}"`;
  }
  return undefined;
}

/** Checks one entry; unknown keys are refused so that a typo never goes unnoticed. */
export function checkMfeRemote(value: unknown, source: string): MfeRemoteCheck {
  const fail = (message: string): MfeRemoteCheck => ({
    ok: false,
    problem: { source, message },
  });
  if (!isRecord(value)) {
    return fail('an entry must be an object with name, remoteEntry, exposedModule, route and label');
  }
  const known = ['name', 'remoteEntry', 'exposedModule', 'route', 'label', 'icon', 'integrity'];
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    return fail(`unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${known.join(', ')}`);
  }
  for (const key of ['name', 'remoteEntry', 'exposedModule', 'route', 'label']) {
    if (typeof value[key] !== 'string' || value[key] === '') {
      return fail(`"${key}" is required and must be a non-empty string`);
    }
  }
  const { name, remoteEntry, exposedModule, route, label, icon, integrity } = value as Record<string, string>;
  if (!NAME.test(name)) {
    return fail(`"name" must be lower-case letters, digits, "-" or "_", starting with a letter, got "${name}"`);
  }
  const urlProblem = checkRemoteEntryUrl(remoteEntry);
  if (urlProblem) {
    return fail(urlProblem);
  }
  if (!exposedModule.startsWith('./')) {
    return fail(`"exposedModule" must start with "./" (as in the remote's federation config), got "${exposedModule}"`);
  }
  if (!ROUTE.test(route)) {
    return fail(`"route" must be one path segment of lower-case letters, digits and "-", got "${route}"`);
  }
  if (RESERVED_ROUTES.includes(route)) {
    return fail(`"route" "${route}" is reserved by the console; choose another`);
  }
  if (label.length > MAX_LABEL) {
    return fail(`"label" must be at most ${MAX_LABEL} characters`);
  }
  if (icon !== undefined && (typeof icon !== 'string' || !ICON.test(icon))) {
    return fail('"icon" must be a short lower-case icon name');
  }
  if (integrity !== undefined && (typeof integrity !== 'string' || !INTEGRITY.test(integrity))) {
    return fail('"integrity" must be a subresource-integrity hash of remoteEntry.json, e.g. "sha384-<base64>"');
  }
  const remote: MfeRemote = { name, remoteEntry, exposedModule, route, label };
  if (icon !== undefined) {
    remote.icon = icon;
  }
  if (integrity !== undefined) {
    remote.integrity = integrity;
  }
  return { ok: true, remote };
}

export interface MfeManifestCheck {
  remotes: MfeRemote[];
  problems: MfeRemoteProblem[];
}

/**
 * Checks a list of candidate entries in order. An entry whose name or route is already
 * taken by an earlier one is refused, so the first source (built-in remotes) wins.
 */
export function checkMfeRemotes(
  candidates: ReadonlyArray<{ value: unknown; source: string }>,
): MfeManifestCheck {
  const remotes: MfeRemote[] = [];
  const problems: MfeRemoteProblem[] = [];
  for (const { value, source } of candidates) {
    const check = checkMfeRemote(value, source);
    if (!check.ok) {
      problems.push(check.problem);
      continue;
    }
    const { remote } = check;
    const byName = remotes.find((r) => r.name === remote.name);
    const byRoute = remotes.find((r) => r.route === remote.route);
    if (byName) {
      problems.push({ source, message: `name "${remote.name}" is already registered` });
    } else if (byRoute) {
      problems.push({
        source,
        message: `route "${remote.route}" is already used by remote "${byRoute.name}"`,
      });
    } else {
      remotes.push(remote);
    }
  }
  return { remotes, problems };
}

/** Reads a manifest document as the shell receives it. */
export function checkMfeManifest(document: unknown, source: string): MfeManifestCheck {
  if (!isRecord(document) || !Array.isArray(document['remotes'])) {
    return {
      remotes: [],
      problems: [{ source, message: 'the manifest must be an object with a "remotes" array' }],
    };
  }
  return checkMfeRemotes(
    document['remotes'].map((value, index) => ({ value, source: `${source} remotes[${index}]` })),
  );
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Why a remote registered by a team (a ConfigMap) may not be loaded from `remoteEntry`, or
 * undefined when it may: its origin must be one the console's admin listed
 * (CAIRN_REMOTES_ALLOWED_ORIGINS), over `https:`; plain `http:` only on a loopback host, for
 * development. A remote runs in the console's origin with the full rights of each user who
 * opens it, so who may add one is the admin's decision, not the ConfigMap author's.
 */
export function remoteOriginProblem(remoteEntry: string, allowedOrigins: readonly string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(remoteEntry);
  } catch {
    return `"remoteEntry" must be an absolute https URL on an origin the console's settings allow, got "${remoteEntry}"`;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname))) {
    return `"remoteEntry" must use https (plain http only on a loopback host, for development), got "${url.protocol}"`;
  }
  if (!allowedOrigins.includes(url.origin)) {
    return allowedOrigins.length
      ? `its origin ${url.origin} is not one the console's settings allow (CAIRN_REMOTES_ALLOWED_ORIGINS: ${allowedOrigins.join(', ')})`
      : `no origin is allowed for team remotes: the console's admin lists them in CAIRN_REMOTES_ALLOWED_ORIGINS (chart: remotes.allowedOrigins)`;
  }
  return undefined;
}
