/**
 * Lists, in `<dir>/remoteEntry.json`'s `preload`, the modules each start imports statically
 * (see preload.mjs); resolves with the lists written, or undefined when `dir` holds no
 * remoteEntry.json.
 */
export function writePreload(dir: string): Promise<Record<string, string[]> | undefined>;
