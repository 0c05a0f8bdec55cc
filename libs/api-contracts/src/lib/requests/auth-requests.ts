import * as z from 'zod/mini';
import { USER_CLUSTER_PREFIX } from '../kube-api/kube-api';
import { clusterName } from './kube-names';

/** Longest bearer token the auth service takes, in characters. */
export const MAX_BEARER_TOKEN = 8 * 1024;

/**
 * `POST /auth/token`: sign in to one configured cluster with a bearer token. The token may be
 * pasted with its `Bearer ` prefix and surrounding blanks; both are removed.
 */
export const BearerTokenSignInBody = z.strictObject({
  cluster: z.pipe(
    z.string({ error: 'must name the cluster this token is for' }).check(z.trim()),
    clusterName.check(z.refine((c: string) => !c.startsWith(USER_CLUSTER_PREFIX), { error: 'must be a configured cluster: a cluster you added from a kubeconfig keeps its credentials in your browser; edit that kubeconfig instead of signing in here' })),
  ),
  token: z.pipe(
    z.pipe(z.string({ error: 'must be a bearer token; get one with: kubectl create token <service-account> -n <namespace>' }), z.transform((t: string) => t.trim().replace(/^Bearer\s+/i, ''))),
    z.string().check(
      z.minLength(1, { error: 'must be a bearer token; get one with: kubectl create token <service-account> -n <namespace>' }),
      z.maxLength(MAX_BEARER_TOKEN, { error: 'must be a bearer token: one line of printable characters without spaces, at most 8 KiB' }),
      z.regex(/^[\x21-\x7e]+$/, { error: 'must be a bearer token: one line of printable characters without spaces, at most 8 KiB' }),
    ),
  ),
});

/** `GET /auth/login?returnTo=`: where to go after signing in (checked again to be a path of the console). */
export const LoginQuery = z.object({ returnTo: z.optional(z.string().check(z.maxLength(2048, { error: 'must be a path of the console of at most 2048 characters' }))) });

/** `DELETE /auth/token/{cluster}` */
export const ForgetTokenParams = z.object({ cluster: clusterName });
