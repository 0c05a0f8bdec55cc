import { ClusterSummary, USER_CLUSTER_PREFIX } from '@cairn/api-contracts';
import type { UserClusterEntries } from './api-client';

/**
 * Clusters a user added from their own kubeconfig (seed 000), kept in this browser's
 * IndexedDB and never on the server. What is kept per cluster is the entry the gateway made
 * of one kubeconfig context (`POST /api/v1/clusters/check-kubeconfig`): the browser sends it
 * back in `X-Cairn-Cluster` with every request to `user:<name>`.
 */

/** One added cluster, as it is stored. */
export interface UserCluster {
  /** The name the user gave it (the console calls it `user:<name>`). */
  name: string;
  /** The kubeconfig context it came from. */
  context: string;
  server: string;
  /** The default namespace its context names. */
  namespace?: string;
  /** The X-Cairn-Cluster entry: the server, CA and credential, as the gateway encoded them. */
  entry: string;
  /** ISO time it was added. */
  addedAt: string;
}

export type NewUserCluster = Omit<UserCluster, 'addedAt'>;

/** Where the records live: IndexedDB in the browser, memory in tests. */
export interface UserClusterBackend {
  all(): Promise<UserCluster[]>;
  /** Stores `put` and deletes the records named in `remove`, all or nothing. */
  write(put: UserCluster[], remove: string[]): Promise<void>;
}

/** A name the console can put in a URL and a header: letters, digits, `.`, `_`, `-`; at most 63. */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

/** `user:<name>`, the cluster name the console and the gateway use. */
export function userClusterName(name: string): string {
  return USER_CLUSTER_PREFIX + name;
}

/** The name the user gave, for `user:<name>`; undefined for a configured cluster. */
export function userClusterLabel(cluster: string): string | undefined {
  return cluster.startsWith(USER_CLUSTER_PREFIX) ? cluster.slice(USER_CLUSTER_PREFIX.length) : undefined;
}

/** Why `name` cannot name an added cluster, or undefined when it can. */
export function userClusterNameProblem(name: string, taken: Iterable<string> = []): string | undefined {
  if (!name) return 'Give it a name.';
  if (!NAME.test(name)) return 'Use letters, digits, ".", "_" and "-" (at most 63), starting and ending with a letter or digit.';
  if ([...taken].includes(name)) return `You already have a cluster named ${name}.`;
  return undefined;
}

/** A usable, unused name made from a kubeconfig context name (`arn:aws:eks:…/prod` → `arn-aws-eks-…-prod`). */
export function suggestUserClusterName(context: string, taken: Iterable<string> = []): string {
  const used = new Set(taken);
  const base =
    context
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
      .slice(0, 56)
      .replace(/[^A-Za-z0-9]+$/, '') || 'cluster';
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

/**
 * The added clusters. Framework-free (views wrap `subscribe` in a signal), so it also runs
 * where Angular does not, like the lib's Node tests.
 */
export class UserClusterStore implements UserClusterEntries {
  private records: readonly UserCluster[] = [];
  private readonly listeners = new Set<(clusters: readonly UserCluster[]) => void>();
  private loaded: Promise<UserCluster[]> | undefined;
  /** Entries checked but not added yet, so the console can ask the cluster before the user decides. */
  private readonly previews = new Map<string, string>();
  private nextPreview = 1;
  private readonly channel: BroadcastChannel | undefined;

  constructor(private readonly backend: UserClusterBackend = typeof indexedDB === 'undefined' ? memoryUserClusterBackend() : indexedDbUserClusterBackend()) {
    // Another tab of the console added, renamed or removed one: read the store again.
    this.channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('cairn.user-clusters');
    // Node's channel would keep a test process alive; a browser's has no unref.
    (this.channel as { unref?: () => void } | undefined)?.unref?.();
    this.channel?.addEventListener('message', () => {
      this.loaded = undefined;
      void this.list().catch(() => undefined);
    });
  }

  /** Every added cluster, sorted by name. */
  list(): Promise<UserCluster[]> {
    this.loaded ??= this.backend.all().then(
      (all) => {
        const sorted = [...all].sort((a, b) => a.name.localeCompare(b.name));
        this.records = sorted;
        for (const listener of this.listeners) listener(sorted);
        return sorted;
      },
      (err: unknown) => {
        this.loaded = undefined;
        throw new Error(`This browser's cluster store cannot be read: ${(err as Error)?.message ?? err}`);
      },
    );
    return this.loaded.then((all) => [...all]);
  }

  /** Every added cluster as last read, sorted by name (empty before the first `list()`). */
  get current(): readonly UserCluster[] {
    return this.records;
  }

  /** Calls `listener` with every added cluster each time they are read again (after a change here or in another tab). */
  subscribe(listener: (clusters: readonly UserCluster[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async get(name: string): Promise<UserCluster | undefined> {
    return (await this.list()).find((c) => c.name === name);
  }

  /** The X-Cairn-Cluster entry for `user:<name>` (or for a preview). */
  async entry(cluster: string): Promise<string | undefined> {
    const preview = this.previews.get(cluster);
    if (preview) return preview;
    const name = userClusterLabel(cluster);
    return name === undefined ? undefined : (await this.get(name))?.entry;
  }

  /** The added clusters as the console lists clusters, after the configured ones. */
  async clusters(): Promise<ClusterSummary[]> {
    return (await this.list()).map((c) => ({ name: userClusterName(c.name), server: c.server, source: 'kubeconfig' as const, ...(c.namespace ? { namespace: c.namespace } : {}) }));
  }

  /**
   * A cluster name that carries `entry` for this tab only, so a context can be asked whether
   * it answers (and who the user is there) before it is added. Nothing is stored.
   */
  preview(entry: string): string {
    const cluster = `${USER_CLUSTER_PREFIX}.preview-${this.nextPreview++}`;
    this.previews.set(cluster, entry);
    return cluster;
  }

  forgetPreviews(): void {
    this.previews.clear();
  }

  /** Adds clusters (all or none), refusing a bad or taken name. */
  async add(clusters: NewUserCluster[]): Promise<UserCluster[]> {
    const existing = await this.list();
    const taken = existing.map((c) => c.name);
    const addedAt = new Date().toISOString();
    const records: UserCluster[] = [];
    for (const c of clusters) {
      const problem = userClusterNameProblem(c.name, taken);
      if (problem) throw new Error(problem);
      if (!c.entry) throw new Error(`${c.name} has no entry: check its kubeconfig again.`);
      taken.push(c.name);
      records.push({ name: c.name, context: c.context, server: c.server, ...(c.namespace ? { namespace: c.namespace } : {}), entry: c.entry, addedAt });
    }
    await this.change(records, []);
    return records;
  }

  async rename(from: string, to: string): Promise<UserCluster> {
    const existing = await this.list();
    const record = existing.find((c) => c.name === from);
    if (!record) throw new Error(`There is no cluster named ${from} in this browser.`);
    if (from === to) return record;
    const problem = userClusterNameProblem(to, existing.map((c) => c.name));
    if (problem) throw new Error(problem);
    const renamed = { ...record, name: to };
    await this.change([renamed], [from]);
    return renamed;
  }

  async remove(name: string): Promise<void> {
    await this.change([], [name]);
  }

  private async change(put: UserCluster[], remove: string[]): Promise<void> {
    try {
      await this.backend.write(put, remove);
    } finally {
      this.loaded = undefined;
    }
    await this.list();
    this.channel?.postMessage('changed');
  }
}

/** Records in memory: for tests, and where a browser offers no IndexedDB. */
export function memoryUserClusterBackend(initial: UserCluster[] = []): UserClusterBackend {
  const records = new Map(initial.map((c) => [c.name, { ...c }]));
  return {
    all: async () => [...records.values()].map((c) => ({ ...c })),
    write: async (put, remove) => {
      for (const name of remove) records.delete(name);
      for (const c of put) records.set(c.name, { ...c });
    },
  };
}

/** Records in IndexedDB (`cairn` database, `user-clusters` store, keyed by name). */
export function indexedDbUserClusterBackend(factory: IDBFactory = indexedDB, database = 'cairn', store = 'user-clusters'): UserClusterBackend {
  let opened: Promise<IDBDatabase> | undefined;
  const open = () =>
    (opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(database, 1);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store, { keyPath: 'name' });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => {
        opened = undefined;
        reject(request.error ?? new Error('IndexedDB refused to open'));
      };
      request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of an older console; close it and reload'));
    }));
  const done = (tx: IDBTransaction) =>
    new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction was aborted'));
    });
  return {
    all: async () => {
      const tx = (await open()).transaction(store, 'readonly');
      const request = tx.objectStore(store).getAll();
      await done(tx);
      return request.result as UserCluster[];
    },
    write: async (put, remove) => {
      const tx = (await open()).transaction(store, 'readwrite');
      const objects = tx.objectStore(store);
      for (const name of remove) objects.delete(name);
      for (const c of put) objects.put(c);
      await done(tx);
    },
  };
}
