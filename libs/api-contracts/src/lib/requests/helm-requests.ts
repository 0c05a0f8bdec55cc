import * as z from 'zod/mini';
import { clusterName, kubeName } from './kube-names';

const REVISION_RULE = 'must be a revision number (a whole number from 1 to 2147483647)';

/** `…/namespaces/{namespace}/helm/releases/{name}`: Helm release names are Kubernetes names (at most 53 characters for Helm, checked by the API server's label rules). */
export const HelmReleaseParams = z.object({ cluster: clusterName, namespace: kubeName('namespace'), name: kubeName('name') });
export type HelmReleaseParams = z.output<typeof HelmReleaseParams>;

/** `…/helm/releases/{name}/revisions/{revision}`: a revision as Helm numbers them (1, 2, …). */
export const HelmRevisionParams = z.object({
  ...HelmReleaseParams.shape,
  revision: z.pipe(
    z.string({ error: REVISION_RULE }).check(z.regex(/^[1-9][0-9]{0,9}$/, { error: REVISION_RULE })),
    z.pipe(
      z.transform((v: string) => Number(v)),
      z.number().check(z.lte(2147483647, { error: REVISION_RULE })),
    ),
  ),
});
export type HelmRevisionParams = z.output<typeof HelmRevisionParams>;
