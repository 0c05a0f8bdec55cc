import { InjectionToken } from '@angular/core';
import type { NativeFederationResult } from '@angular-architects/native-federation';
import { checkMfeManifest, MfeManifestCheck, MfeRemote } from '@cairn/api-contracts';

/** Loads the module a remote exposes; Native Federation's loader, or a stand-in in tests. */
export type RemoteModuleLoader = (remote: MfeRemote) => Promise<unknown>;

/**
 * Registers a remote with Native Federation the first time its route is visited, then loads
 * its exposed module. Remotes nobody visits are never fetched, and one that is down only
 * fails its own route.
 */
export function federationLoader(federation: NativeFederationResult, baseUri: string): RemoteModuleLoader {
  const registered = new Map<string, Promise<NativeFederationResult>>();
  return async (remote) => {
    let registration = registered.get(remote.name);
    if (!registration) {
      registration = federation.initRemoteEntry(new URL(remote.remoteEntry, baseUri).href, remote.name);
      registered.set(remote.name, registration);
      // A failed registration is forgotten so that a retry asks again.
      registration.catch(() => registered.delete(remote.name));
    }
    return (await registration).loadRemoteModule(remote.name, remote.exposedModule);
  };
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
