/**
 * `@cairn/ui-kit-access`: "why can't I" (`WhyCantI`), the panel that explains a refusal: who the
 * cluster thinks you are, what was refused, what you may do instead, whom to ask. Shared as its
 * own singleton bundle, loaded on the first refusal a page shows, not by every list page:
 * `ForbiddenState` draws it in a `@defer` block (issue 20's shell budget).
 */
export { WhyCantI } from './lib/states/why-cant-i';
export type { AskedRequest } from './lib/states/why-cant-i';
