import { toChunkImport, type DenseSharedInfo, type FederationInfo, type SharedInfo } from '@softarc/native-federation/domain';

/**
 * The console's federation runtime: import maps from the remoteEntry.json files Native Federation
 * builds, for the shell at start and for each remote when its route is first visited.
 *
 * Not Native Federation's orchestrator, which was 23 KB gz of the shell's initial JavaScript (a
 * bundled semver, version pools and elections, caches in storage, build notifications) for
 * what the console asks of it: one build of every shared package, the shell's. The shell is
 * the host and provides its singletons to every remote; a remote built against another major of
 * one of them is refused before it is mapped (`incompatibleShared`), so within a major the
 * shell's build wins without an election. README, "How the front ends load".
 */

/** An import map as the browser, or es-module-shims in shim mode, reads it. */
export interface ImportMap {
  imports: Record<string, string>;
  scopes?: Record<string, Record<string, string>>;
  integrity?: Record<string, string>;
}

/** How the page maps and loads modules: natively, or through es-module-shims. */
export interface ModuleLoading {
  /** Adds a map to the page's; entries already mapped keep their first URL. */
  addImportMap(importMap: ImportMap): void;
  importModule(url: string): Promise<unknown>;
}

/** A shared package the page's import map provides, and whose build it is. */
interface Provided {
  version?: string;
  singleton: boolean;
}

/** The import names a shared entry maps and their files (Native Federation writes flat or dense entries). */
function entriesOf(shared: SharedInfo | DenseSharedInfo): Array<[string, string]> {
  return 'entries' in shared ? Object.entries(shared.entries) : [[shared.packageName, shared.outFileName]];
}

/** The major version a version or range names (`22` of `22.1.8`, `^22.0.0`). */
export const majorOf = (version: string | undefined) => /(\d+)\./.exec(version ?? '')?.[1];

/** Subresource-integrity hashes the entry gives for its files, keyed by the URLs the map uses. */
function integrityOf(entry: FederationInfo, files: Iterable<[string, string]>): Record<string, string> | undefined {
  if (!entry.integrity) return undefined;
  const integrity: Record<string, string> = {};
  for (const [file, url] of files) {
    const hash = entry.integrity[file];
    if (hash) integrity[url] = hash;
  }
  return Object.keys(integrity).length > 0 ? integrity : undefined;
}

export class Federation {
  /** Every shared name the page maps globally: the shell's, then those a remote brought first. */
  private readonly provided = new Map<string, Provided>();
  private readonly remotes = new Map<string, { entry: FederationInfo; entryUrl: string }>();

  /** Maps the shell's shared packages and their chunks for the whole page. */
  constructor(
    /** The shell's remoteEntry.json. */
    readonly host: FederationInfo,
    hostEntryUrl: string,
    private readonly loading: ModuleLoading,
  ) {
    const imports: Record<string, string> = {};
    const files = new Map<string, string>();
    const map = (name: string, file: string) => {
      const url = new URL(file, hostEntryUrl).href;
      imports[name] = url;
      files.set(file, url);
    };
    for (const shared of host.shared ?? []) {
      for (const [name, file] of entriesOf(shared)) {
        map(name, file);
        this.provided.set(name, { version: shared.version, singleton: shared.singleton });
      }
    }
    for (const file of Object.values(host.chunks ?? {}).flat()) map(toChunkImport(file), file);
    this.addImportMap({ imports }, host, files);
  }

  /**
   * Maps a remote from its remoteEntry.json (already fetched and checked by the caller). A
   * singleton the page provides is the page's; one it does not provide yet becomes the page's,
   * served by this remote, for the remotes after it too; anything else (not a singleton, or
   * another major than the one provided) is this remote's own, in its scope, as are its chunks.
   * A remote mapped before is not mapped again: the page's map cannot change an entry.
   */
  addRemote(name: string, entryUrl: string, entry: FederationInfo): void {
    if (this.remotes.has(name)) return;
    const scope = new URL('./', entryUrl).href;
    const imports: Record<string, string> = {};
    const scoped: Record<string, string> = {};
    const files = new Map<string, string>();
    const url = (file: string) => {
      const href = new URL(file, entryUrl).href;
      files.set(file, href);
      return href;
    };
    for (const shared of entry.shared ?? []) {
      for (const [packageName, file] of entriesOf(shared)) {
        const have = this.provided.get(packageName);
        const theirs = majorOf(shared.requiredVersion ?? shared.version);
        if (shared.singleton && have?.singleton && (!theirs || !have.version || majorOf(have.version) === theirs)) continue;
        if (shared.singleton && !have) {
          imports[packageName] = url(file);
          this.provided.set(packageName, { version: shared.version, singleton: true });
        } else scoped[packageName] = url(file);
      }
    }
    for (const file of Object.values(entry.chunks ?? {}).flat()) scoped[toChunkImport(file)] = url(file);
    for (const exposed of entry.exposes ?? []) imports[`${name}/${exposed.key.replace(/^\.\//, '')}`] = url(exposed.outFileName);
    this.remotes.set(name, { entry, entryUrl });
    this.addImportMap(Object.keys(scoped).length > 0 ? { imports, scopes: { [scope]: scoped } } : { imports }, entry, files);
  }

  /** Loads the module a mapped remote exposes (`./routes`). */
  async loadRemoteModule(name: string, exposedModule: string): Promise<unknown> {
    const remote = this.remotes.get(name);
    if (!remote) throw new Error(`remote "${name}" is not registered`);
    const exposed = remote.entry.exposes?.find((e) => e.key === exposedModule);
    if (!exposed) throw new Error(`its remote entry exposes no "${exposedModule}"`);
    return this.loading.importModule(new URL(exposed.outFileName, remote.entryUrl).href);
  }

  private addImportMap(importMap: ImportMap, entry: FederationInfo, files: Map<string, string>): void {
    const integrity = integrityOf(entry, files);
    this.loading.addImportMap(integrity ? { ...importMap, integrity } : importMap);
  }
}

/** Reads a remoteEntry.json's text, keeping only what has the shape the runtime reads. */
export function parseRemoteEntry(text: string, url: string): FederationInfo {
  const entry = JSON.parse(text) as Partial<FederationInfo> | null;
  if (!entry || typeof entry !== 'object' || typeof entry.name !== 'string') throw new Error(`its remote entry ${url} is not a Native Federation remote entry`);
  return {
    ...entry,
    name: entry.name,
    shared: Array.isArray(entry.shared) ? entry.shared : [],
    exposes: Array.isArray(entry.exposes) ? entry.exposes : [],
  };
}

/** Fetches the shell's remoteEntry.json and maps its shared packages. */
export async function startFederation(hostEntryUrl: string, loading: ModuleLoading): Promise<Federation> {
  const response = await fetch(hostEntryUrl, { headers: { accept: 'application/json' }, cache: 'no-cache' });
  if (!response.ok) throw new Error(`the shell's remote entry ${hostEntryUrl} answered HTTP ${response.status}`);
  return new Federation(parseRemoteEntry(await response.text(), hostEntryUrl), hostEntryUrl, loading);
}
