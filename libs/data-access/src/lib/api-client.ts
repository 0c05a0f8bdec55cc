import {
  AccessCheck,
  AccessResult,
  ApiErrorBody,
  ApiResource,
  ApplyResult,
  AUTH_PATHS,
  ClusterStatus,
  ClusterSummary,
  ConsoleSettings,
  CSRF_HEADER,
  DebugContainerRequest,
  DebugCopyRequest,
  DebugStarted,
  DrainEvent,
  HelmHistory,
  HelmReleaseList,
  HelmRevision,
  KubeconfigContextCheck,
  MyNamespaces,
  RulesReview,
  SearchEvent,
  SearchTarget,
  SessionSummary,
  SignedOut,
  SignInOptions,
  USER_CLUSTER_HEADER,
  execProtocols,
  USER_CLUSTER_PREFIX,
  WhoAmI,
} from '@cairn/api-contracts';
import type { ServerTable } from '@cairn/kube-model';
import { ListEnvelope, readListStream } from './list-stream';

/**
 * The browser's client of the gateway's `/api/v1`: typed by the shared contracts, sends the
 * CSRF header with every change, the entry of a user-added cluster with every request to
 * it, and renews the session once when the gateway says the token expired.
 */

/** An error the gateway answered, with its status and message as the user should read them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds to wait, on a 429. */
    readonly retryAfter?: number,
    /** The API server's reason (`AlreadyExists`, `Invalid`) and field errors with their paths, when it gave them. */
    readonly detail: Pick<ApiErrorBody, 'reason' | 'causes'> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get forbidden(): boolean {
    return this.status === 403;
  }
}

/** Where a user-added cluster's entry comes from (the browser's IndexedDB store). */
export interface UserClusterEntries {
  entry(cluster: string): Promise<string | undefined>;
  /** The clusters the user added, listed after the configured ones. */
  clusters?(): Promise<ClusterSummary[]>;
  /** Calls `listener` with the added clusters each time they are read again (after a change); returns how to stop. */
  subscribe?(listener: (clusters: readonly unknown[]) => void): () => void;
}

export interface ApiClientOptions {
  /** The console's base URL, e.g. `https://cairn.example/` (default: the page's base). */
  baseUrl: string;
  /** `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** Extra headers for every request, e.g. `Authorization` for API clients and tests. */
  headers?: Record<string, string>;
  userClusters?: UserClusterEntries;
  /** Called when the session cannot be renewed: the shell sends the user to sign in. */
  onSignedOut?: (message: string) => void;
}

/** A reference to a kind: `core` is the legacy group. */
export interface KindRef {
  group: string;
  version: string;
  resource: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface KubeList<T = KubeObject> {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string; [k: string]: unknown };
  [k: string]: unknown;
}

const enc = encodeURIComponent;

/** The BroadcastChannel on which a tab tells the console's others that whom they act as may have changed. */
export const SESSION_CHANNEL = 'cairn.session';

export class ApiClient {
  private readonly fetchImpl: typeof fetch;
  private renewing: Promise<boolean> | undefined;
  private generation = 0;
  private readonly sessionListeners = new Set<() => void>();
  /** Tells the console's other tabs (they share the session cookie) that whom they act as may have changed. */
  private readonly sessionChannel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(SESSION_CHANNEL);

  /**
   * Goes up each time whom this tab acts as may have changed: here or in another tab of the
   * console (they share the session cookie), a token signed in or forgotten (before and after
   * the request), signing out, a session found ended, another tab started (it may follow a
   * sign-in), the user-added clusters changed. What was read before (a kept list) is not shown
   * after.
   */
  get sessionGeneration(): number {
    return this.generation;
  }

  /** Calls `listener` each time `sessionGeneration` goes up; returns how to stop. */
  onSessionChange(listener: () => void): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  /** Whom this tab acts as may have changed: `sessionGeneration` goes up, here and in the console's other tabs. */
  sessionChanged(): void {
    this.bumpSession();
    this.sessionChannel?.postMessage('changed');
  }

  private bumpSession(): void {
    this.generation++;
    for (const listener of this.sessionListeners) listener();
  }

  constructor(private readonly options: ApiClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    // Node's channel would keep a process alive; a browser's has no unref.
    (this.sessionChannel as { unref?: () => void } | undefined)?.unref?.();
    this.sessionChannel?.addEventListener('message', () => this.bumpSession());
    // This tab may have started after a sign-in elsewhere: what the others read before is not theirs to show.
    this.sessionChannel?.postMessage('started');
    // A user-added cluster added again under a name may carry another identity: any change counts.
    let clustersSeen: string | undefined;
    options.userClusters?.subscribe?.((clusters) => {
      const now = JSON.stringify(clusters);
      if (clustersSeen !== undefined && now !== clustersSeen) this.bumpSession();
      clustersSeen = now;
    });
  }

  /** A URL of the console, from a path like `api/v1/clusters`. */
  url(path: string): string {
    return new URL(path.replace(/^\//, ''), this.options.baseUrl).href;
  }

  /** Headers for a request to `cluster` (its entry if user-added). */
  async headers(cluster: string | undefined, change: boolean): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (change) headers[CSRF_HEADER] = '1';
    const entry = await this.entry(cluster);
    if (entry) headers[USER_CLUSTER_HEADER] = entry;
    return headers;
  }

  /** A user-added cluster's entry (undefined for a configured one); ApiError 400 when it is no longer in this browser. */
  private async entry(cluster: string | undefined): Promise<string | undefined> {
    if (!cluster?.startsWith(USER_CLUSTER_PREFIX)) return undefined;
    const entry = await this.options.userClusters?.entry(cluster);
    if (!entry) throw new ApiError(400, `${cluster.slice(USER_CLUSTER_PREFIX.length)} is no longer among your clusters; add it again.`);
    return entry;
  }

  /**
   * A terminal's WebSocket (a pod's exec or attach, api-contracts exec-protocol) at `path` on
   * `cluster`. A browser's WebSocket cannot send headers, so a user-added cluster's entry is
   * offered as a subprotocol (`execProtocols`); the session cookie goes as on every request.
   * Throws ApiError 400 when a user-added cluster is no longer in this browser.
   */
  async terminal(path: string, cluster: string): Promise<WebSocket> {
    const url = new URL(this.url(path));
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return new WebSocket(url.href, execProtocols(await this.entry(cluster)));
  }

  /** Sends a request; on 401 "token expired" renews the session once and retries. */
  async request(method: string, path: string, options: { cluster?: string; body?: unknown; contentType?: string; signal?: AbortSignal } = {}): Promise<Response> {
    const change = !['GET', 'HEAD'].includes(method);
    for (let attempt = 0; ; attempt++) {
      const headers = await this.headers(options.cluster, change);
      if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
      const res = await this.fetchImpl(this.url(path), {
        method,
        headers,
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
        credentials: 'same-origin',
        signal: options.signal,
      });
      if (res.ok) return res;
      const error = await toApiError(res);
      if (res.status === 401 && attempt === 0 && error.message.startsWith('token expired') && (await this.renewSession())) continue;
      if (res.status === 401) {
        this.sessionChanged();
        this.options.onSignedOut?.(error.message);
      }
      throw error;
    }
  }

  /** Asks the auth service for fresh tokens; one renewal at a time for the whole tab. */
  renewSession(): Promise<boolean> {
    this.renewing ??= this.fetchImpl(this.url(AUTH_PATHS.refresh), { method: 'POST', headers: { [CSRF_HEADER]: '1' }, credentials: 'same-origin' })
      .then((res) => res.ok)
      .catch(() => false)
      .finally(() => setTimeout(() => (this.renewing = undefined), 0));
    return this.renewing;
  }

  /**
   * A call to the auth service. Its 401s are answers (a token the cluster refused, no session
   * to renew), not a reason to renew the session or to send the user away.
   */
  private async auth<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (method !== 'GET') headers[CSRF_HEADER] = '1';
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetchImpl(this.url(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    if (!res.ok) throw await toApiError(res);
    return (await res.json()) as T;
  }

  /** The ways to sign in this console offers. */
  signInOptions(): Promise<SignInOptions> {
    return this.auth('GET', AUTH_PATHS.providers);
  }

  /** Who is signed in, how, and until when; never a token. */
  session(): Promise<SessionSummary> {
    return this.auth('GET', AUTH_PATHS.session);
  }

  /** Signs in to one cluster with a bearer token, once the cluster has said whose it is. */
  signInWithToken(cluster: string, token: string): Promise<SessionSummary> {
    return this.changingSession(this.auth('POST', AUTH_PATHS.token, { cluster, token }));
  }

  forgetToken(cluster: string): Promise<SessionSummary> {
    return this.changingSession(this.auth('DELETE', `${AUTH_PATHS.token}/${enc(cluster)}`));
  }

  /** A request that may change whom the tab acts as: the session counts as changed when it is sent and again when it is answered (what was read meanwhile may be either's). */
  private changingSession<T>(request: Promise<T>): Promise<T> {
    this.sessionChanged();
    return request.finally(() => this.sessionChanged());
  }

  /** Ends the session; the answer says where the browser goes next (the provider's logout, or the sign-in page). */
  signOut(): Promise<SignedOut> {
    return this.changingSession(this.auth('POST', AUTH_PATHS.logout));
  }

  async json<T>(method: string, path: string, options: { cluster?: string; body?: unknown; contentType?: string; signal?: AbortSignal } = {}): Promise<T> {
    return (await (await this.request(method, path, options)).json()) as T;
  }

  /** The configured clusters, then the ones the user added in this browser. */
  /** The gateway's configured clusters as it lists them, unusable contexts (with their `problem`) included. */
  configured(): Promise<ClusterSummary[]> {
    return this.json<ClusterSummary[]>('GET', 'api/v1/clusters');
  }

  /** Every cluster the user can work with: the usable configured ones, then the ones added in this browser. */
  async clusters(): Promise<ClusterSummary[]> {
    const configured = (await this.configured()).filter((c) => !c.problem);
    // A store this browser cannot read must not hide the configured clusters; the clusters page says why.
    const added = await this.options.userClusters?.clusters?.().catch(() => []);
    return [...configured, ...(added ?? [])];
  }

  status(cluster: string): Promise<ClusterStatus> {
    return this.json('GET', `api/v1/clusters/${enc(cluster)}/status`, { cluster });
  }

  whoami(cluster: string): Promise<WhoAmI> {
    return this.json('GET', `api/v1/clusters/${enc(cluster)}/whoami`, { cluster });
  }

  /** What the caller may do in `namespace` (the rules of ClusterRoleBindings included): the cluster's SelfSubjectRulesReview. */
  rulesReview(cluster: string, namespace: string): Promise<RulesReview> {
    return this.json('GET', `api/v1/clusters/${enc(cluster)}/rules-review?namespace=${enc(namespace)}`, { cluster });
  }

  /** For someone who may not list namespaces: the ones the administrator's method finds for them, each checked with their own rights. */
  myNamespaces(cluster: string, fresh = false): Promise<MyNamespaces> {
    return this.json('GET', `api/v1/clusters/${enc(cluster)}/my-namespaces${fresh ? '?fresh=true' : ''}`, { cluster });
  }

  /** What the administrator set for everyone: read-only, and whom to ask for access. */
  consoleSettings(): Promise<ConsoleSettings> {
    return this.json('GET', 'api/v1/console-settings');
  }

  apiResources(cluster: string): Promise<ApiResource[]> {
    return this.json('GET', `api/v1/clusters/${enc(cluster)}/api-resources`, { cluster });
  }

  private resourcePath(cluster: string, kind: KindRef, name?: string): string {
    return `api/v1/clusters/${enc(cluster)}/resources/${enc(kind.group)}/${enc(kind.version)}/${enc(kind.resource)}${name ? `/${enc(name)}` : ''}`;
  }

  list<T = KubeObject>(cluster: string, kind: KindRef, options: ListOptions = {}): Promise<KubeList<T>> {
    return this.json('GET', this.resourcePath(cluster, kind) + query({ ...options }), { cluster });
  }

  /**
   * A whole list in one request, read as it arrives: `onItems` gets the objects as they are
   * parsed (the first rows before the last byte; no one parse of the whole body), and the
   * answer is the list's envelope (its resourceVersion).
   */
  async listStream<T = KubeObject>(cluster: string, kind: KindRef, options: Omit<ListOptions, 'limit' | 'continue'>, onItems: (items: T[]) => void, signal?: AbortSignal): Promise<ListEnvelope> {
    const res = await this.request('GET', this.resourcePath(cluster, kind) + query({ ...options }), { cluster, signal });
    if (res.body) return readListStream(res.body, onItems);
    const list = (await res.json()) as KubeList<T>;
    onItems(list.items ?? []);
    return { metadata: list.metadata };
  }

  /**
   * The API server's printed table of a list (what `kubectl get` shows), rows carrying their
   * object's metadata; with `includeObject: 'None'` the cells alone (about a tenth of the bytes
   * for pods), so a row's namespace is only the one asked for.
   */
  table(cluster: string, kind: KindRef, options: Omit<ListOptions, 'limit' | 'continue'> & { includeObject?: 'Metadata' | 'None' } = {}, signal?: AbortSignal): Promise<ServerTable> {
    return this.json('GET', this.resourcePath(cluster, kind) + query({ ...options, as: 'Table' }), { cluster, signal });
  }

  get<T = KubeObject>(cluster: string, kind: KindRef, name: string, namespace?: string, reveal = false): Promise<T> {
    return this.json('GET', this.resourcePath(cluster, kind, name) + query({ namespace, reveal: reveal || undefined }), { cluster });
  }

  events(cluster: string, kind: KindRef, name: string, namespace?: string): Promise<KubeList> {
    return this.json('GET', `${this.resourcePath(cluster, kind, name)}/events${query({ namespace })}`, { cluster });
  }

  /** Server-side apply of every document; `force` takes over fields another manager owns (an edit of the live YAML). */
  apply(cluster: string, yaml: string, options: { namespace?: string; dryRun?: boolean; force?: boolean } = {}): Promise<{ dryRun: boolean; objects: ApplyResult[] }> {
    return this.json('POST', `api/v1/clusters/${enc(cluster)}/apply${query({ dryRun: options.dryRun || undefined, force: options.force || undefined })}`, { cluster, body: { yaml, namespace: options.namespace } });
  }

  /**
   * Creates `object` (a new one: never replacing one, an existing name is a 409 `ApiError` whose
   * `detail.reason` is `AlreadyExists`). With `dryRun` the API server validates it without
   * storing it; its field errors come as `detail.causes`, each with the field's path.
   */
  create<T = KubeObject>(cluster: string, kind: KindRef, object: KubeObject, options: { namespace?: string; dryRun?: boolean } = {}): Promise<T> {
    return this.json('POST', this.resourcePath(cluster, kind) + query({ namespace: options.namespace, dryRun: options.dryRun || undefined }), { cluster, body: object });
  }

  /** The OpenAPI v3 document the cluster publishes for one group version (`core` for the legacy group); a 404 `ApiError` when it publishes none. */
  openApi(cluster: string, group: string, version: string): Promise<unknown> {
    return this.json('GET', `api/v1/clusters/${enc(cluster)}/openapi/${enc(group)}/${enc(version)}`, { cluster });
  }

  /**
   * Replaces one object with `object` (an edited copy of the whole object, `metadata.resourceVersion`
   * included): the API server refuses it with a 409 `ApiError` if the object changed since that
   * version. With `dryRun` nothing is stored and the answer is the object as it would be stored.
   */
  replace<T = KubeObject>(cluster: string, kind: KindRef, object: KubeObject, options: { namespace?: string; dryRun?: boolean } = {}): Promise<T> {
    return this.json('PUT', this.resourcePath(cluster, kind, object.metadata.name) + query({ namespace: options.namespace, dryRun: options.dryRun || undefined }), { cluster, body: object });
  }

  /**
   * Patches one object (`type` picks the Content-Type). With `dryRun` the API server checks and
   * answers with the object as it would store it, and stores nothing (a preview).
   */
  patch<T = KubeObject>(cluster: string, kind: KindRef, name: string, namespace: string | undefined, patch: unknown, type: 'merge' | 'strategic' | 'json' = 'merge', options: { dryRun?: boolean } = {}): Promise<T> {
    const contentType = { merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json', json: 'application/json-patch+json' }[type];
    return this.json('PATCH', this.resourcePath(cluster, kind, name) + query({ namespace, dryRun: options.dryRun || undefined }), { cluster, body: patch, contentType });
  }

  delete(cluster: string, kind: KindRef, name: string, namespace?: string, options: { dryRun?: boolean } = {}): Promise<unknown> {
    return this.json('DELETE', this.resourcePath(cluster, kind, name) + query({ namespace, dryRun: options.dryRun || undefined }), { cluster });
  }

  scale(cluster: string, kind: KindRef, name: string, namespace: string, replicas: number, options: { dryRun?: boolean } = {}): Promise<{ replicas: number }> {
    return this.json('POST', `${this.resourcePath(cluster, kind, name)}/scale${query({ namespace, dryRun: options.dryRun || undefined })}`, { cluster, body: { replicas } });
  }

  restart(cluster: string, kind: KindRef, name: string, namespace: string, options: { dryRun?: boolean } = {}): Promise<{ restartedAt: string }> {
    return this.json('POST', `${this.resourcePath(cluster, kind, name)}/restart${query({ namespace, dryRun: options.dryRun || undefined })}`, { cluster });
  }

  triggerCronJob(cluster: string, namespace: string, name: string): Promise<{ job: string }> {
    return this.json('POST', `api/v1/clusters/${enc(cluster)}/namespaces/${enc(namespace)}/cronjobs/${enc(name)}/trigger`, { cluster });
  }

  /** `kubectl debug -it <pod> --image=…`: adds an ephemeral debug container; answers its name. */
  addDebugContainer(cluster: string, namespace: string, pod: string, body: DebugContainerRequest): Promise<DebugStarted> {
    return this.json('POST', `api/v1/clusters/${enc(cluster)}/namespaces/${enc(namespace)}/pods/${enc(pod)}/debug-containers`, { cluster, body });
  }

  /** `kubectl debug -it <pod> --copy-to=…`: creates a copy of the pod with a debug container; answers the new pod and container. */
  copyPodToDebug(cluster: string, namespace: string, pod: string, body: DebugCopyRequest): Promise<DebugStarted> {
    return this.json('POST', `api/v1/clusters/${enc(cluster)}/namespaces/${enc(namespace)}/pods/${enc(pod)}/debug-copies`, { cluster, body });
  }

  /** Helm releases (the latest revision of each) in `namespace`, or in every namespace when absent; decoded by the gateway from Helm's storage. */
  helmReleases(cluster: string, namespace?: string): Promise<HelmReleaseList> {
    return this.json('GET', `api/v1/clusters/${enc(cluster)}/helm/releases${query({ namespace })}`, { cluster });
  }

  /** A Helm release's revisions, newest first (`helm history`). */
  helmHistory(cluster: string, namespace: string, name: string): Promise<HelmHistory> {
    return this.json('GET', `api/v1/clusters/${enc(cluster)}/namespaces/${enc(namespace)}/helm/releases/${enc(name)}`, { cluster });
  }

  /** One revision whole: values given and computed, manifest, notes. */
  helmRevision(cluster: string, namespace: string, name: string, revision: number): Promise<HelmRevision> {
    return this.json('GET', `api/v1/clusters/${enc(cluster)}/namespaces/${enc(namespace)}/helm/releases/${enc(name)}/revisions/${revision}`, { cluster });
  }

  accessReviews(cluster: string, checks: AccessCheck[]): Promise<{ results: AccessResult[] }> {
    return this.json('POST', `api/v1/clusters/${enc(cluster)}/access-reviews`, { cluster, body: { checks } });
  }

  checkKubeconfig(kubeconfig: string): Promise<{ contexts: KubeconfigContextCheck[] }> {
    return this.json('POST', 'api/v1/clusters/check-kubeconfig', { body: { kubeconfig } });
  }

  /** A container's log as a stream of text (follow keeps it open until `signal` aborts). */
  async log(
    cluster: string,
    namespace: string,
    pod: string,
    options: { container?: string; follow?: boolean; previous?: boolean; timestamps?: boolean; tailLines?: number; sinceSeconds?: number },
    signal?: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    const res = await this.request('GET', `api/v1/clusters/${enc(cluster)}/namespaces/${enc(namespace)}/pods/${enc(pod)}/log${query({ ...options })}`, { cluster, signal });
    if (!res.body) throw new ApiError(502, 'The log stream is empty.');
    return res.body;
  }

  /**
   * Drains a node (kubectl drain as the caller): yields its progress lines as they come;
   * aborting `signal` stops the drain. A refusal before it starts (no right, a drain already
   * running) is thrown as an ApiError.
   */
  async *drain(cluster: string, node: string, options: { force?: boolean; deleteEmptyDirData?: boolean; timeoutSeconds?: number }, signal?: AbortSignal): AsyncGenerator<DrainEvent> {
    const res = await this.request('POST', `api/v1/clusters/${enc(cluster)}/nodes/${enc(node)}/drain`, { cluster, body: options, signal });
    if (!res.body) throw new ApiError(502, 'The drain answered with no progress.');
    yield* ndjsonLines<DrainEvent>(res.body);
  }

  /**
   * Global search (`GET /api/v1/search`): calls `onEvent` with each line as it arrives, from
   * every cluster of `targets`, until all have answered (`done`) or `signal` aborts (the query
   * changed, the dialog closed), which ends the requests and the gateway's upstream reads. The
   * configured clusters share one request; each user-added cluster is its own (its entry goes
   * in a header). A request refused as a whole (a query the gateway cannot run) is thrown.
   */
  async search(q: string, targets: SearchTarget[], onEvent: (event: SearchEvent) => void, signal?: AbortSignal): Promise<void> {
    const configured = targets.filter((t) => !t.cluster.startsWith(USER_CLUSTER_PREFIX));
    const groups = [...(configured.length ? [configured] : []), ...targets.filter((t) => t.cluster.startsWith(USER_CLUSTER_PREFIX)).map((t) => [t])];
    await Promise.all(
      groups.map(async (group) => {
        const cluster = group.length === 1 && group[0]?.cluster.startsWith(USER_CLUSTER_PREFIX) ? group[0].cluster : undefined;
        const res = await this.request('GET', `api/v1/search${query({ q, clusters: JSON.stringify(group) })}`, { cluster, signal });
        if (!res.body) throw new ApiError(502, 'The search answered with nothing.');
        for await (const event of ndjsonLines<SearchEvent>(res.body)) onEvent(event);
      }),
    );
  }
}

/** The lines of an NDJSON stream, each parsed, as they arrive. */
async function* ndjsonLines<T>(body: NonNullable<Response['body']>): AsyncGenerator<T> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += value;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) yield JSON.parse(line) as T;
  }
}

export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function toApiError(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  const detail: Pick<ApiErrorBody, 'reason' | 'causes'> = {};
  try {
    const body = (await res.json()) as Partial<ApiErrorBody>;
    if (typeof body.message === 'string') message = body.message;
    if (typeof body.reason === 'string') detail.reason = body.reason;
    if (Array.isArray(body.causes)) detail.causes = body.causes.filter((c) => typeof c?.message === 'string');
  } catch {
    // Not JSON: keep the status line.
  }
  const retry = Number(res.headers.get('retry-after'));
  return new ApiError(res.status, message, Number.isFinite(retry) && retry > 0 ? retry : undefined, detail);
}
