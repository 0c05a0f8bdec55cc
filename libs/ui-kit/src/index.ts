/**
 * `@cairn/ui-kit`: what a list page draws with (the table, badges, ages, the states and notices,
 * the confirmation), shared as one singleton bundle that every page of every remote loads. The
 * heavier pieces a few pages use have their own shared entries, so a list page does not load
 * them: `@cairn/ui-kit-yaml` (YAML view, editor, create, diff), `@cairn/ui-kit-charts` (the
 * usage chart), `@cairn/ui-kit-search` (the search palette), `@cairn/ui-kit-access` ("why can't
 * I", which `ForbiddenState` loads on the first refusal); and `@cairn/ui-kit-standalone` (not
 * shared) starts a remote on its own. Issue 20's shell budget; tools/federation/shared.mjs
 * says why they are not named `@cairn/ui-kit/…`.
 */
export { ResourceTable, CellTemplate } from './lib/resource-table/resource-table';
export { ColumnChoice, filterRows, isShown, parseFilter, sortRows } from './lib/resource-table/table-column';
export type { FilterTerm, TableColumn, TableSort } from './lib/resource-table/table-column';
export { StatusBadge, PROBLEM_HEALTHS } from './lib/status-badge/status-badge';
export type { Health, Status } from './lib/status-badge/status-badge';
export { TimeAgo } from './lib/time-ago/time-ago';
export { EmptyState, NoCluster } from './lib/states/empty-state';
export { ForbiddenState } from './lib/states/forbidden-state';
export { Notice } from './lib/states/notice';
export type { NoticeTone } from './lib/states/notice';
export { Confirmation } from './lib/confirm-dialog/confirmation';
export type { ConfirmOptions, PromptOptions } from './lib/confirm-dialog/confirmation';
