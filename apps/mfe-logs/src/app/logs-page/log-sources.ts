import { signal } from '@angular/core';
import type { WatchMessage } from '@cairn/api-contracts';
import { ApiClient, ApiError, KindRef, KubeObject, WatchStream } from '@cairn/data-access';
import { podStatus } from '@cairn/kube-model';

/** A pod as the picker needs it. */
export interface PodChoice {
  name: string;
  containers: ContainerChoice[];
  /** kubectl's STATUS of the pod (`CrashLoopBackOff`, `Running`, `Init:0/1`…). */
  status: string;
}

export interface ContainerChoice {
  name: string;
  init: boolean;
  restarts: number;
  /** Whether the container has run before (a previous log may exist). */
  restarted: boolean;
}

/** A workload whose pods' logs can be merged. */
export interface WorkloadChoice extends KindRef {
  kind: string;
  name: string;
  containers: string[];
  /** `group/version/resource/name`, as the `workload` query parameter carries it. */
  ref: string;
}

export const WORKLOAD_KINDS: ReadonlyArray<KindRef & { kind: string }> = [
  { kind: 'Deployment', group: 'apps', version: 'v1', resource: 'deployments' },
  { kind: 'StatefulSet', group: 'apps', version: 'v1', resource: 'statefulsets' },
  { kind: 'DaemonSet', group: 'apps', version: 'v1', resource: 'daemonsets' },
  { kind: 'Job', group: 'batch', version: 'v1', resource: 'jobs' },
];

const PODS: KindRef = { group: 'core', version: 'v1', resource: 'pods' };

interface PodObject extends KubeObject {
  spec?: { containers?: Array<{ name: string }>; initContainers?: Array<{ name: string }> };
  status?: { phase?: string; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}
interface ContainerStatus {
  name: string;
  restartCount?: number;
  lastState?: { terminated?: unknown };
}

/** A pod from the API as the picker shows it. */
export function toPodChoice(pod: KubeObject): PodChoice {
  const p = pod as PodObject;
  const statuses = new Map([...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].map((s) => [s.name, s]));
  const choice = (name: string, init: boolean): ContainerChoice => {
    const status = statuses.get(name);
    return { name, init, restarts: status?.restartCount ?? 0, restarted: (status?.restartCount ?? 0) > 0 || !!status?.lastState?.terminated };
  };
  return {
    name: p.metadata.name,
    status: podStatus(pod).text,
    containers: [...(p.spec?.containers ?? []).map((c) => choice(c.name, false)), ...(p.spec?.initContainers ?? []).map((c) => choice(c.name, true))],
  };
}

/**
 * What can be read in one namespace: its pods, live (a pod that starts appears, one that
 * goes disappears), and its workloads. `error` is the gateway's sentence when the pods
 * cannot be listed (a 403 names the verb and the resource).
 */
export class LogSources {
  readonly pods = signal<PodChoice[]>([]);
  readonly workloads = signal<WorkloadChoice[]>([]);
  readonly loading = signal(true);
  readonly error = signal<string | undefined>(undefined);
  /** The error is the API server's refusal (403): the page explains it. */
  readonly forbidden = signal(false);
  private readonly byName = new Map<string, PodChoice>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly api: ApiClient,
    private readonly watch: WatchStream | null,
    readonly cluster: string,
    readonly namespace: string,
  ) {
    void this.loadPods();
    void this.loadWorkloads();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }

  private async loadPods(): Promise<void> {
    try {
      const list = await this.api.list(this.cluster, PODS, { namespace: this.namespace });
      if (this.stopped) return;
      for (const pod of list.items) this.byName.set(pod.metadata.name, toPodChoice(pod));
      this.publish();
      this.unsubscribe = this.watch?.subscribe({ cluster: this.cluster, ...PODS, namespace: this.namespace, resourceVersion: list.metadata.resourceVersion }, (m) => this.apply(m));
    } catch (err) {
      if (!this.stopped) {
        this.error.set(describe(err));
        this.forbidden.set(err instanceof ApiError && err.forbidden);
      }
    } finally {
      this.loading.set(false);
    }
  }

  private apply(message: WatchMessage): void {
    if (message.type === 'ADDED' || message.type === 'MODIFIED') {
      const pod = toPodChoice(message.object as KubeObject);
      this.byName.set(pod.name, pod);
    } else if (message.type === 'DELETED') {
      this.byName.delete((message.object as KubeObject).metadata.name);
    } else if (message.type === 'RESYNC') {
      this.byName.clear();
      for (const item of (message.items ?? []) as KubeObject[]) this.byName.set(item.metadata.name, toPodChoice(item));
    } else {
      return;
    }
    this.publish();
  }

  private publish(): void {
    this.pods.set([...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name)));
  }

  private async loadWorkloads(): Promise<void> {
    // A kind the user may not list is left out; the pods' error speaks for the namespace.
    const lists = await Promise.all(
      WORKLOAD_KINDS.map((kind) =>
        this.api.list(this.cluster, kind, { namespace: this.namespace }).then(
          (list) => list.items.map((o) => toWorkloadChoice(kind, o)),
          () => [] as WorkloadChoice[],
        ),
      ),
    );
    if (!this.stopped) this.workloads.set(lists.flat());
  }
}

function toWorkloadChoice(kind: KindRef & { kind: string }, o: KubeObject): WorkloadChoice {
  const spec = o['spec'] as { template?: { spec?: { containers?: Array<{ name: string }> } } } | undefined;
  return {
    ...kind,
    name: o.metadata.name,
    containers: (spec?.template?.spec?.containers ?? []).map((c) => c.name),
    ref: `${kind.group}/${kind.version}/${kind.resource}/${o.metadata.name}`,
  };
}

/** Parses `group/version/resource/name`. */
export function parseWorkloadRef(ref: string | undefined): (KindRef & { name: string }) | undefined {
  const parts = (ref ?? '').split('/');
  if (parts.length !== 4 || parts.some((p) => !p)) return undefined;
  const [group, version, resource, name] = parts;
  return { group, version, resource, name };
}

/** An error in the words the user should read. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
