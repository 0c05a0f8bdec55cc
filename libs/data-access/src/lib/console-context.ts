import { computed, Injectable, signal } from '@angular/core';
import type { MyNamespaces } from '@cairn/api-contracts';

/**
 * Where the user is: the current cluster and namespace, shared by the shell and every
 * remote as signals. The namespace is remembered per cluster, and so are the namespaces
 * a user who may not list them has typed ("allowed namespaces", seed 002), in this browser;
 * with them, the namespaces the console found for that user by the administrator's method
 * (`GET …/my-namespaces`, each checked for them by the API server), kept for the page's life.
 */
@Injectable({ providedIn: 'root' })
export class ConsoleContext {
  private readonly store: Pick<Storage, 'getItem' | 'setItem'> | undefined = typeof localStorage === 'undefined' ? undefined : localStorage;

  readonly cluster = signal<string | undefined>(undefined);
  /** Bumped whenever the saved settings change, so views that show them (the namespace picker) update at once. */
  readonly settingsVersion = signal(0);
  /** `undefined` means all namespaces. */
  readonly namespace = signal<string | undefined>(undefined);
  readonly clusterSettings = computed(() => this.settingsOf(this.cluster()));

  selectCluster(cluster: string | undefined): void {
    this.cluster.set(cluster);
    this.namespace.set(cluster ? this.settingsOf(cluster).defaultNamespace : undefined);
  }

  selectNamespace(namespace: string | undefined): void {
    this.namespace.set(namespace);
    const cluster = this.cluster();
    if (cluster) this.saveSettings(cluster, { ...this.settingsOf(cluster), defaultNamespace: namespace });
  }

  /** The user's namespaces on this cluster, for when they may not list them: those found for them and those they typed, sorted. */
  allowedNamespaces(cluster: string): string[] {
    const found = this.found()[cluster]?.namespaces ?? [];
    return [...new Set([...found, ...this.settingsOf(cluster).allowedNamespaces])].sort();
  }

  /** Only the namespaces the user typed for this cluster (what the cluster settings page edits). */
  typedNamespaces(cluster: string): string[] {
    return this.settingsOf(cluster).allowedNamespaces;
  }

  /** Saves the namespaces the user gave; the ones the console found for them are not stored as typed. */
  setAllowedNamespaces(cluster: string, namespaces: string[]): void {
    const found = this.found()[cluster]?.namespaces ?? [];
    const clean = [...new Set(namespaces.map((n) => n.trim()).filter((n) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n) && !found.includes(n)))].sort();
    this.saveSettings(cluster, { ...this.settingsOf(cluster), allowedNamespaces: clean });
  }

  /** What `…/my-namespaces` answered per cluster on this page. */
  readonly found = signal<Record<string, MyNamespaces>>({});
  private readonly finding = new Map<string, Promise<MyNamespaces | undefined>>();

  /**
   * Asks the gateway once per cluster and page which namespaces the administrator's method finds
   * for the user (only for someone who may not list namespaces: the caller decides); they join
   * allowedNamespaces at once. Resolves undefined when the gateway could not answer (the user
   * still types a namespace). `fresh` asks again, past the gateway's short cache.
   */
  findNamespaces(api: { myNamespaces(cluster: string, fresh?: boolean): Promise<MyNamespaces> }, cluster: string, fresh = false): Promise<MyNamespaces | undefined> {
    const asked = this.finding.get(cluster);
    if (asked && !fresh) return asked;
    const answer = api.myNamespaces(cluster, fresh).then(
      (found) => {
        this.found.update((all) => ({ ...all, [cluster]: found }));
        this.settingsVersion.update((v) => v + 1);
        return found;
      },
      () => undefined,
    );
    this.finding.set(cluster, answer);
    return answer;
  }

  /** For a view refused a cluster-wide list: allowedNamespaces once the gateway was asked which namespaces it finds for the user. */
  async namespacesFor(api: { myNamespaces(cluster: string, fresh?: boolean): Promise<MyNamespaces> }, cluster: string): Promise<string[]> {
    await this.findNamespaces(api, cluster);
    return this.allowedNamespaces(cluster);
  }

  private settingsOf(cluster: string | undefined): ClusterSettings {
    const fallback: ClusterSettings = { allowedNamespaces: [] };
    if (!cluster || !this.store) return fallback;
    try {
      const parsed = JSON.parse(this.store.getItem(`cairn.cluster.${cluster}`) ?? 'null') as Partial<ClusterSettings> | null;
      return { allowedNamespaces: Array.isArray(parsed?.allowedNamespaces) ? parsed.allowedNamespaces.filter((n) => typeof n === 'string') : [], defaultNamespace: typeof parsed?.defaultNamespace === 'string' ? parsed.defaultNamespace : undefined };
    } catch {
      return fallback;
    }
  }

  private saveSettings(cluster: string, settings: ClusterSettings): void {
    this.store?.setItem(`cairn.cluster.${cluster}`, JSON.stringify(settings));
    this.settingsVersion.update((v) => v + 1);
  }
}

export interface ClusterSettings {
  allowedNamespaces: string[];
  defaultNamespace?: string;
}
