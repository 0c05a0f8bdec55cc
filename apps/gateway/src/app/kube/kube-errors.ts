import { HttpException, HttpStatus } from '@nestjs/common';
import { USER_CLUSTER_CREDENTIAL_REJECTED, USER_CLUSTER_PREFIX, type ApiErrorBody } from '@cairn/api-contracts';

/** A Kubernetes `Status` body, as API servers send with every error. */
interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: Array<{ field?: string; message?: string; reason?: string }>; retryAfterSeconds?: number };
}

/** An HttpException that also sets response headers (the error filter applies them). */
export class KubeHttpException extends HttpException {
  constructor(
    message: string,
    status: number,
    readonly headers: Record<string, string> = {},
    /** The API server's reason and field errors, passed on in the error body (ApiErrorBody). */
    readonly detail: Pick<ApiErrorBody, 'reason' | 'causes'> = {},
  ) {
    super(message, status);
  }
}

/** The reason and field causes of a Status, as the error body carries them (at most 50 causes). */
function detailOf(s: KubeStatus): Pick<ApiErrorBody, 'reason' | 'causes'> {
  const causes = (s.details?.causes ?? []).slice(0, 50).map((c) => ({ ...(c.field ? { field: c.field } : {}), message: c.message ?? c.reason ?? '' }));
  return { ...(typeof s.reason === 'string' ? { reason: s.reason } : {}), ...(causes.length ? { causes } : {}) };
}

function parseStatus(body: string): KubeStatus {
  try {
    const parsed = JSON.parse(body) as KubeStatus;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return { message: body.slice(0, 300) };
  }
}

/**
 * Turns an API server's error into one the console can act on: 401 (sign in again or
 * refresh), 403 with the API server's reason, 404, 409, 422 with the field errors, 429
 * with Retry-After, and 502 for anything the API server itself failed at. A user-added
 * cluster's 401 is a 403 instead: it refused the credential of the entry the browser keeps,
 * not the console session, which signing in again would not change (the console's browser
 * client takes any 401 as the end of its session).
 */
export function kubeError(cluster: string, status: number, body: string, retryAfter?: string): KubeHttpException {
  const s = parseStatus(body);
  const message = s.message?.trim() || `HTTP ${status}`;
  switch (status) {
    case 401:
      if (cluster.startsWith(USER_CLUSTER_PREFIX)) {
        return new KubeHttpException(
          `Cluster ${cluster} ${USER_CLUSTER_CREDENTIAL_REJECTED} (an expired or revoked token or certificate); add the cluster again with a current one. You are still signed in to the console.`,
          HttpStatus.FORBIDDEN,
        );
      }
      return new KubeHttpException(`Cluster ${cluster} did not accept your credentials (expired or revoked token); sign in again.`, HttpStatus.UNAUTHORIZED);
    case 403:
      return new KubeHttpException(`Cluster ${cluster} refused: ${message}`, HttpStatus.FORBIDDEN);
    case 404:
      return new KubeHttpException(`Cluster ${cluster}: ${message}`, HttpStatus.NOT_FOUND);
    case 409:
      return new KubeHttpException(`Cluster ${cluster}: ${message}`, HttpStatus.CONFLICT, {}, detailOf(s));
    case 400:
    case 422: {
      const causes = (s.details?.causes ?? []).map((c) => (c.field ? `${c.field}: ${c.message ?? c.reason ?? ''}` : (c.message ?? ''))).filter(Boolean);
      const detail = causes.length ? `${message.split(':')[0]}: ${causes.join('; ')}` : message;
      return new KubeHttpException(`Cluster ${cluster} rejected the request: ${detail}`, status, {}, detailOf(s));
    }
    case 410:
      return new KubeHttpException(`Cluster ${cluster}: ${message} (list again from the start)`, HttpStatus.GONE);
    case 429: {
      const seconds = retryAfter ?? String(s.details?.retryAfterSeconds ?? 1);
      return new KubeHttpException(`Cluster ${cluster} is busy: ${message}; try again in ${seconds} s.`, HttpStatus.TOO_MANY_REQUESTS, { 'retry-after': seconds });
    }
    case 504:
      return new KubeHttpException(`Cluster ${cluster} timed out: ${message}`, HttpStatus.GATEWAY_TIMEOUT);
    default:
      if (status >= 400 && status < 500) return new KubeHttpException(`Cluster ${cluster}: ${message}`, status);
      return new KubeHttpException(`Cluster ${cluster} failed to answer (HTTP ${status}): ${message}`, HttpStatus.BAD_GATEWAY);
  }
}
