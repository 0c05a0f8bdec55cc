import { InjectionToken } from '@angular/core';
import type { FederationInfo } from '@softarc/native-federation/domain';
import { checkMfeManifest, MfeManifestCheck, MfeRemote } from '@cairn/api-contracts';
import { Federation, majorOf, parseRemoteEntry } from './federation';

/** Loads the module a remote exposes; the federation runtime's loader, or a stand-in in tests. */
export type RemoteModuleLoader = (remote: MfeRemote) => Promise<unknown>;

/**
 * Registers a remote with the federation runtime the first time its route is visited, then
 * loads its exposed module. Remotes nobody visits are never fetched, and one that is down only
 * fails its own route. The remote entry is fetched once: the bytes checked against the
 * manifest's integrity hash are the ones mapped.
 */
export function federationLoader(federation: Federation, baseUri: string, fetchFn: typeof fetch = (i, o) => fetch(i, o)): RemoteModuleLoader {
  const registered = new Map<string, Promise<void>>();
  return async (remote) => {
    let registration = registered.get(remote.name);
    if (!registration) {
      const entryUrl = new URL(remote.remoteEntry, baseUri).href;
      registration = readRemoteEntry(entryUrl, fetchFn, remote.integrity).then((entry) => {
        const clashes = incompatibleShared(federation.host.shared, entry.shared);
        if (clashes.length > 0) throw new Error(`it was built against ${clashes.join(', ')}. Its team must rebuild it against this console's versions; until then it stays off`);
        federation.addRemote(remote.name, entryUrl, entry);
      });
      registered.set(remote.name, registration);
      // A failed registration is forgotten so that a retry asks again.
      registration.catch(() => registered.delete(remote.name));
    }
    await registration;
    return federation.loadRemoteModule(remote.name, remote.exposedModule);
  };
}

/** One shared package of a remoteEntry.json. */
export interface SharedPackage {
  packageName: string;
  version?: string;
  requiredVersion?: string;
  singleton?: boolean;
}

async function readRemoteEntry(url: string, fetchFn: typeof fetch, integrity?: string): Promise<FederationInfo> {
  const response = await fetchFn(url, { headers: { accept: 'application/json' }, cache: 'no-cache' });
  if (!response.ok) throw new Error(`its remote entry ${url} answered HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  if (integrity && !(await matchesIntegrity(bytes, integrity))) {
    throw new Error(`its remote entry ${url} does not match the integrity hash the console's settings give for it; it stays off until its team and the console's admin agree on the build`);
  }
  return parseRemoteEntry(new TextDecoder().decode(bytes), url);
}

/** Whether `bytes` have the subresource-integrity hash `integrity` (`sha384-<base64>`). */
export async function matchesIntegrity(bytes: ArrayBuffer, integrity: string, subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<boolean> {
  const [, bits, expected] = /^sha(256|384|512)-(.+)$/.exec(integrity) ?? [];
  if (!bits || !expected) return false;
  const digest = new Uint8Array(await subtle.digest(`SHA-${bits}`, bytes));
  return btoa(String.fromCharCode(...digest)) === expected;
}

/**
 * Singletons the shell provides whose major version differs from the one a remote was
 * built against: such a remote would break the page (two Angulars cannot share one app),
 * so it is refused with a message instead. Minor and patch differences are fine.
 */
export function incompatibleShared(shell: readonly SharedPackage[], remote: readonly SharedPackage[]): string[] {
  const provided = new Map(shell.filter((p) => p.singleton).map((p) => [p.packageName, p.version]));
  const clashes: string[] = [];
  for (const wanted of remote) {
    const have = provided.get(wanted.packageName);
    const need = wanted.requiredVersion ?? wanted.version;
    // Secondary entry points (@angular/common/http, rxjs/operators) follow their package.
    const root = wanted.packageName.split('/').slice(0, wanted.packageName.startsWith('@') ? 2 : 1).join('/');
    if (!have || !need || (root !== wanted.packageName && provided.has(root))) continue;
    if (majorOf(have) !== majorOf(need)) clashes.push(`${wanted.packageName} ${need} (this console provides ${have})`);
  }
  return clashes;
}

/** The manifest as the shell read it on start: the usable remotes and what was wrong with the rest. */
export const MFE_MANIFEST = new InjectionToken<MfeManifestCheck>('MFE_MANIFEST');

/**
 * Fetches and checks the manifest. It never throws: a console whose manifest cannot be read
 * still starts, with no remotes and a message saying why.
 */
export async function fetchMfeManifest(url: string, fetchFn: typeof fetch = fetch): Promise<MfeManifestCheck> {
  const source = new URL(url).pathname;
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { accept: 'application/json' }, cache: 'no-cache' });
  } catch (error) {
    return failure(source, `could not be fetched (${(error as Error).message}); is the gateway running?`);
  }
  if (!response.ok) {
    return failure(source, `answered HTTP ${response.status}`);
  }
  let document: unknown;
  try {
    document = await response.json();
  } catch {
    return failure(source, 'is not JSON');
  }
  return checkMfeManifest(document, source);
}

function failure(source: string, message: string): MfeManifestCheck {
  return { remotes: [], problems: [{ source, message }] };
}
