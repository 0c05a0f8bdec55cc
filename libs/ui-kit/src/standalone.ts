/**
 * `@cairn/ui-kit-standalone`: a remote served on its own for development. Its own entry point
 * because it bootstraps Angular (`@angular/platform-browser`), which only a page's start-up
 * code needs: inside the console the shell has already bootstrapped, and the shared ui-kit
 * bundle every remote page loads stays free of it (tools/federation/shared.mjs says why).
 */
export { bootstrapStandaloneRemote, StandaloneRemoteFrame } from './lib/standalone-remote/standalone-remote';
export type { StandaloneRemote } from './lib/standalone-remote/standalone-remote';
