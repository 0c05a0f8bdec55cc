import * as z from 'zod/mini';
import { clusterName, kubeName } from './kube-names';

/** `/api/v1/clusters/{cluster}/nodes/{name}/…` */
export const NodeParams = z.object({ cluster: clusterName, name: kubeName('name') });
export type NodeParams = z.output<typeof NodeParams>;

/** Longest a drain may take, in seconds, before it stops as a failure that says what was left. */
export const MAX_DRAIN_SECONDS = 3600;
export const DEFAULT_DRAIN_SECONDS = 300;

/**
 * `POST …/nodes/{name}/drain`: kubectl drain's choices. DaemonSet pods are always left
 * running (kubectl's `--ignore-daemonsets`) and said so.
 */
export const DrainBody = z.strictObject({
  /** kubectl's `--force`: also evict pods no controller will recreate. */
  force: z.optional(z.boolean({ error: 'must be true or false' })),
  /** kubectl's `--delete-emptydir-data`: also evict pods whose emptyDir data is lost with them. */
  deleteEmptyDirData: z.optional(z.boolean({ error: 'must be true or false' })),
  /** kubectl's `--timeout`, in seconds. */
  timeoutSeconds: z.optional(z.number({ error: `must be a whole number of seconds from 1 to ${MAX_DRAIN_SECONDS}` }).check(z.int({ error: `must be a whole number of seconds from 1 to ${MAX_DRAIN_SECONDS}` }), z.gte(1, { error: `must be a whole number of seconds from 1 to ${MAX_DRAIN_SECONDS}` }), z.lte(MAX_DRAIN_SECONDS, { error: `must be a whole number of seconds from 1 to ${MAX_DRAIN_SECONDS}` }))),
});
export type DrainBody = z.output<typeof DrainBody>;
