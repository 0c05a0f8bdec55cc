/**
 * `@cairn/ui-kit-charts`: the usage chart of a pod's or a node's metrics. Shared as its own
 * singleton bundle, loaded by the pages that draw one.
 */
export { UsageChart } from './lib/usage-chart/usage-chart';
export type { ChartPoint } from './lib/usage-chart/usage-chart';
