import { computed, Injectable, signal } from '@angular/core';

/**
 * Where the user is: the current cluster and namespace, shared by the shell and every
 * remote as signals. The namespace is remembered per cluster, and so are the namespaces
 * a user who may not list them has typed ("allowed namespaces", seed 002), in this browser.
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

  /** Namespaces the user gave for this cluster, for when they may not list them. */
  allowedNamespaces(cluster: string): string[] {
    return this.settingsOf(cluster).allowedNamespaces;
  }

  setAllowedNamespaces(cluster: string, namespaces: string[]): void {
    const clean = [...new Set(namespaces.map((n) => n.trim()).filter((n) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n)))].sort();
    this.saveSettings(cluster, { ...this.settingsOf(cluster), allowedNamespaces: clean });
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
