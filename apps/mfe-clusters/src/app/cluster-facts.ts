import type { ClusterStatus, WhoAmI } from '@cairn/api-contracts';
import { ApiClient } from '@cairn/data-access';

/** Whether a cluster answers, its version, and who the user is there. */
export interface ClusterFacts {
  loading: boolean;
  status?: ClusterStatus;
  /** The request for the status failed (as opposed to the cluster not answering, which `status` says). */
  statusError?: string;
  who?: WhoAmI;
  whoError?: string;
}

/** Asks the gateway for both at once; never throws: each failure becomes the sentence to show, the same one only once. */
export async function loadClusterFacts(api: ApiClient, cluster: string): Promise<ClusterFacts> {
  const [status, who] = await Promise.allSettled([api.status(cluster), api.whoami(cluster)]);
  const facts: ClusterFacts = { loading: false };
  if (status.status === 'fulfilled') facts.status = status.value;
  else facts.statusError = messageOf(status.reason);
  if (who.status === 'fulfilled') facts.who = who.value;
  else facts.whoError = messageOf(who.reason);
  // One reason per cluster: when it does not answer, "who am I" fails for the same reason, said once by the status.
  const reason = facts.statusError ?? (facts.status?.reachable ? undefined : facts.status?.error);
  if (reason !== undefined && facts.whoError !== undefined && (facts.whoError === reason || facts.whoError.includes(reason) || reason.includes(facts.whoError))) delete facts.whoError;
  return facts;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
