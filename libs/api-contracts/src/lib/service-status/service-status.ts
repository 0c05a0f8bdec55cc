/** `GET /api/v1/version` on the gateway and `GET /auth/v1/version` on the auth service. */
export interface VersionInfo {
  /** The product: always `cairn`. */
  name: 'cairn';
  /** Which service answered: `gateway` or `auth-service`. */
  service: string;
  /** The release, from the workspace's package.json. */
  version: string;
  /** The Node.js runtime serving the request. */
  node: string;
}

/** One readiness condition and whether it holds. */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  /** Why it fails, in words an operator can act on. */
  message?: string;
}

/** `GET /healthz` (liveness) and `GET /readyz` (readiness). */
export interface HealthReport {
  status: 'ok' | 'failing';
  checks: ReadinessCheck[];
}

/** The body of every error answer of the gateway and the auth service. */
export interface ApiErrorBody {
  statusCode: number;
  /** The HTTP reason phrase, e.g. `Not Found`. */
  error: string;
  /** What went wrong and what to do about it. */
  message: string;
  /** The API server's reason when it gave one (`AlreadyExists`, `Invalid`, `Conflict`), so a view can offer the way out. */
  reason?: string;
  /** The API server's field errors (a 422 `Invalid`, a 400), each with the field path it names (`spec.replicas`). */
  causes?: ApiErrorCause[];
}

/** One field error of the API server: `field` is its path as the server names it (`spec.template.spec.containers[0].image`). */
export interface ApiErrorCause {
  field?: string;
  message: string;
}
