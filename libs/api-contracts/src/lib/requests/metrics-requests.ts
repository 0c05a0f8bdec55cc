import * as z from 'zod/mini';
import { kubeName } from './kube-names';

/**
 * `GET /api/v1/clusters/{cluster}/metrics/pods?namespace=&name=`: `kubectl top pods` (one
 * namespace, or all without `namespace`; one pod with `name`, which needs `namespace`).
 */
export const PodMetricsQuery = z
  .strictObject({ namespace: z.optional(kubeName('namespace')), name: z.optional(kubeName('name')) })
  .check(z.refine((q) => !q.name || Boolean(q.namespace), { error: 'name needs namespace: a pod is named within its namespace', path: ['namespace'] }));
export type PodMetricsQuery = z.output<typeof PodMetricsQuery>;

/** `GET /api/v1/clusters/{cluster}/metrics/nodes?name=`: `kubectl top nodes` (every node, or one). */
export const NodeMetricsQuery = z.strictObject({ name: z.optional(kubeName('name')) });
export type NodeMetricsQuery = z.output<typeof NodeMetricsQuery>;
