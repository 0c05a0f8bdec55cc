import { ImportMap, ModuleLoading, startFederation } from './app/remotes/federation';

/**
 * Modules load with the browser's own import maps where it honours one added after the page
 * started (Chromium 133 and later merge them), else through es-module-shims in shim mode.
 * Benchmark 4's profile is why: in shim mode every module ran from a `blob:` URL after
 * es-module-shims had fetched and rewritten it (18-45 % of the page's CPU), and es-module-shims
 * itself was 16 KB gz of the shell's initial JavaScript. README, "How the front ends load".
 *
 * Nothing shared (Angular, our libs) may be imported statically here: the import map that
 * resolves them exists only once startFederation has run.
 */
const page = globalThis as typeof globalThis & {
  /** Set when this module runs a second time, through es-module-shims. */
  cairnShimMode?: boolean;
  esmsInitOptions?: { shimMode: boolean };
  importShim?: (url: string) => Promise<unknown>;
};

/** The gateway's per-page CSP nonce: an inline import map runs only with it. */
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;

function addImportMap(importMap: object, type = 'importmap'): void {
  const script = document.createElement('script');
  script.type = type;
  if (nonce) script.nonce = nonce;
  script.textContent = JSON.stringify(importMap);
  document.head.appendChild(script);
}

/** Whether an import map added now is honoured (older browsers ignore one added after the first module). */
function nativeImportMapsWork(): boolean {
  if (!HTMLScriptElement.supports?.('importmap')) return false;
  addImportMap({ imports: { 'cairn-import-map-probe': './favicon.ico' } });
  try {
    return import.meta.resolve('cairn-import-map-probe').endsWith('/favicon.ico');
  } catch {
    return false;
  }
}

async function start(): Promise<void> {
  if (!page.cairnShimMode && !nativeImportMapsWork()) {
    // This module again, through es-module-shims, which then runs its dynamic imports too.
    page.cairnShimMode = true;
    page.esmsInitOptions = { shimMode: true };
    // @ts-expect-error es-module-shims' types declare its globals, not a module.
    await import('es-module-shims');
    await page.importShim?.(import.meta.url);
    return;
  }
  // Asked for now, while the shell's remoteEntry.json is read, not after it.
  const manifest = fetch(new URL('mfe-manifest.json', document.baseURI).href, { headers: { accept: 'application/json' }, cache: 'no-cache' });
  manifest.catch(() => undefined); // bootstrap reports a failure in its own words
  // A native import map cannot be replaced, only added to (entries already mapped keep their first URL).
  const loading: ModuleLoading = page.cairnShimMode
    ? { addImportMap: (importMap: ImportMap) => addImportMap(importMap, 'importmap-shim'), importModule: (url) => page.importShim?.(url) ?? Promise.reject(new Error('es-module-shims did not start')) }
    : { addImportMap, importModule: (url) => import(/* @vite-ignore */ url) };
  const federation = await startFederation(new URL('remoteEntry.json', document.baseURI).href, loading);
  await (await import('./bootstrap')).bootstrap(federation, manifest);
}

start().catch((error) => {
  console.error('Cairn: the console could not start', error);
  document.body.textContent = `The console could not start: ${error instanceof Error ? error.message : error}. Reload the page; if this persists, tell whoever runs this console.`;
});
