import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';

/**
 * A small client for the Kubernetes REST API, enough for the harness to seed a cluster
 * and for tests to check what the API server decides. It speaks HTTPS with the cluster's
 * CA and either a client certificate or a bearer token, and nothing else.
 */

export interface KubeCredentials {
  /** https://127.0.0.1:<port> */
  server: string;
  /** PEM CA bundle that signed the API server's certificate. */
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface WatchEvent<T = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** The lines of a response body, as they arrive. */
export async function* lines(stream: AsyncIterable<unknown>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of stream) {
    rest += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.trim()) yield line;
    }
  }
  if (rest.trim()) yield rest;
}

export class KubeApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path}: HTTP ${status}: ${apiMessage(body)}`);
  }
}

function apiMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string };
    return parsed.message ?? body;
  } catch {
    return body.slice(0, 500);
  }
}

/** Resource plural and whether it is namespaced, for the kinds the harness creates. */
const RESOURCES: Record<string, { plural: string; namespaced: boolean }> = {
  Namespace: { plural: 'namespaces', namespaced: false },
  Node: { plural: 'nodes', namespaced: false },
  ClusterRole: { plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { plural: 'clusterrolebindings', namespaced: false },
  Role: { plural: 'roles', namespaced: true },
  RoleBinding: { plural: 'rolebindings', namespaced: true },
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  ConfigMap: { plural: 'configmaps', namespaced: true },
  Secret: { plural: 'secrets', namespaced: true },
  Service: { plural: 'services', namespaced: true },
  Pod: { plural: 'pods', namespaced: true },
  Event: { plural: 'events', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  StatefulSet: { plural: 'statefulsets', namespaced: true },
  DaemonSet: { plural: 'daemonsets', namespaced: true },
  ReplicaSet: { plural: 'replicasets', namespaced: true },
  Job: { plural: 'jobs', namespaced: true },
  CronJob: { plural: 'cronjobs', namespaced: true },
  CustomResourceDefinition: { plural: 'customresourcedefinitions', namespaced: false },
  Gadget: { plural: 'gadgets', namespaced: true },
  Sensor: { plural: 'sensors', namespaced: true },
  ClusterProbe: { plural: 'clusterprobes', namespaced: false },
  APIService: { plural: 'apiservices', namespaced: false },
  Ingress: { plural: 'ingresses', namespaced: true },
  PersistentVolume: { plural: 'persistentvolumes', namespaced: false },
  PersistentVolumeClaim: { plural: 'persistentvolumeclaims', namespaced: true },
};

/** The REST path of an object (or of its collection when `name` is omitted). */
export function resourcePath(apiVersion: string, kind: string, namespace?: string, name?: string): string {
  const resource = RESOURCES[kind];
  if (!resource) throw new Error(`kube-testenv does not know the resource of kind ${kind}`);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  return `${base}${ns}/${resource.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

export class KubeApi {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(readonly credentials: KubeCredentials) {
    this.url = new URL(credentials.server);
    this.agent = new Agent({ ca: credentials.ca, cert: credentials.cert, key: credentials.key, keepAlive: true, maxSockets: 16 });
  }

  /** The same server and CA, another identity. */
  as(identity: { token: string } | { cert: string; key: string }): KubeApi {
    return new KubeApi({ server: this.credentials.server, ca: this.credentials.ca, ...identity });
  }

  close(): void {
    this.agent.destroy();
  }

  /** Sends a request and resolves with the response stream, whatever its status; `headers` adds to the request's (e.g. `Impersonate-User`). */
  open(method: string, path: string, options: { body?: string; contentType?: string; accept?: string; signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<IncomingMessage> {
    const headers: Record<string, string> = { Accept: options.accept ?? 'application/json', ...options.headers };
    if (this.credentials.token) headers['Authorization'] = `Bearer ${this.credentials.token}`;
    if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(options.body));
    }
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: this.url.hostname, port: this.url.port, path, method, headers, agent: this.agent, signal: options.signal },
        resolve,
      );
      req.on('error', reject);
      if (options.body !== undefined) req.write(options.body);
      req.end();
    });
  }

  /** Sends a request and resolves with the status and the whole body as text; `accept` asks for another form (e.g. the server's table). */
  async send(method: string, path: string, options: { body?: string; contentType?: string; accept?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
    const res = await this.open(method, path, options);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
  }

  /** JSON request; rejects with a KubeApiError on any status >= 400. */
  async json<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.send(method, path, body === undefined ? {} : { body: JSON.stringify(body), contentType });
    if (res.status >= 400) throw new KubeApiError(method, path, res.status, res.body);
    return (res.body ? JSON.parse(res.body) : undefined) as T;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  /** Server-side apply, owning every field it sets. */
  apply<T extends KubeObject>(object: T, fieldManager = 'cairn-testenv'): Promise<T> {
    const path = resourcePath(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
    return this.json<T>('PATCH', `${path}?fieldManager=${fieldManager}&force=true`, object, 'application/apply-patch+yaml');
  }

  /**
   * Opens a watch (`path` should carry `watch=1` and usually `resourceVersion`) and yields
   * its events until the server ends the stream or `signal` aborts.
   */
  async *watch<T = KubeObject>(path: string, signal?: AbortSignal): AsyncGenerator<WatchEvent<T>> {
    const res = await this.open('GET', path, { signal });
    if ((res.statusCode ?? 0) >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw new KubeApiError('GET', path, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
    }
    for await (const line of lines(res)) yield JSON.parse(line) as WatchEvent<T>;
  }

  create<T extends KubeObject>(object: T): Promise<T> {
    return this.json<T>('POST', resourcePath(object.apiVersion, object.kind, object.metadata.namespace), object);
  }
}
