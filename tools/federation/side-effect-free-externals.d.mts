import type { Plugin } from 'esbuild';

export function sideEffectFreeExternals(): Plugin;
export function isExternal(path: string, externals: readonly string[]): boolean;
export function declaresNoSideEffects(specifier: string, fromDir: string): boolean;
