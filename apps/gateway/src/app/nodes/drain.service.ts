import { ConflictException, HttpException, Injectable } from '@nestjs/common';
import type { DrainEvent, DrainPodRef, DrainResult } from '@cairn/api-contracts';
import { DEFAULT_DRAIN_SECONDS, type DrainBody } from '@cairn/api-contracts/requests';
import { asObject, asString, consentFlag, drainPlan, drainRefusals, selectorMatches } from '@cairn/kube-model';
import type { Caller } from '../auth/callers';
import { AuditRecord, auditStreamed } from '../edge/audit';
import { KubeService } from '../kube/kube.service';
import { query, resourcePath } from '../kube/resource-paths';
import { FIELD_MANAGER } from '../changes/changes.service';

/** Evictions asked for at once, as a bound on the requests one drain makes. */
const PARALLEL_EVICTIONS = 8;
/** Most pods one drain reads from the node (a kubelet runs at most 110 by default). */
const MAX_NODE_PODS = 1000;
/** kubectl asks again every 5 s while a disruption budget says no; we start sooner and back off to that. */
const BUDGET_BACKOFF_MS = [500, 1000, 2000, 5000];
const GONE_POLL_MS = 500;

interface KubePod {
  metadata: { namespace: string; name: string; uid: string; labels?: Record<string, string> };
}

/** What a caller sees of a running drain. */
export interface Drain {
  /** Sends the drain's lines to `emit` until it ends (or `signal` aborts it); resolves with how it ended. */
  run(emit: (event: DrainEvent) => void, signal: AbortSignal): Promise<DrainResult>;
}

/**
 * `kubectl drain` as the caller: cordon first, then kubectl's pod rules (kube-model's
 * drainPlan), then evictions through the Eviction API so PodDisruptionBudgets hold — a 429 is
 * a budget saying "not yet", asked again with backoff — and waiting until each pod is gone.
 * One drain per node at a time (per replica), within a deadline; leaving stops it.
 */
@Injectable()
export class DrainService {
  private readonly running = new Set<string>();

  constructor(private readonly kube: KubeService) {}

  /**
   * Cordons the node and holds its drain slot: the API server's refusal (no `patch nodes`, no
   * such node) is an HTTP error before any line is streamed, and a drain of the same node
   * already running is a 409.
   */
  async begin(caller: Caller, cluster: string, node: string, options: DrainBody, audit: AuditRecord): Promise<Drain> {
    // A user-added cluster's name is the caller's to choose: their drains never block another's.
    const key = JSON.stringify([cluster, node, caller.userCluster ? caller.credential : '']);
    if (this.running.has(key)) throw new ConflictException(`Node ${node} is already being drained; wait for that drain to end, or stop it, before starting another.`);
    const path = resourcePath({ group: 'core', version: 'v1', resource: 'nodes', name: node });
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_DRAIN_SECONDS;
    audit.describe('drain', `${path} (${[options.force && 'force', options.deleteEmptyDirData && 'delete emptyDir data', `timeout ${timeoutSeconds} s`].filter(Boolean).join(', ')})`);
    this.running.add(key);
    let already: boolean;
    try {
      const before = await this.kube.json<{ spec?: { unschedulable?: boolean } }>(cluster, caller, { method: 'GET', path });
      already = before.spec?.unschedulable === true;
      if (!already) {
        await this.kube.json(cluster, caller, {
          method: 'PATCH',
          path: path + query({ fieldManager: FIELD_MANAGER }),
          body: JSON.stringify({ spec: { unschedulable: true } }),
          contentType: 'application/strategic-merge-patch+json',
        });
      }
    } catch (err) {
      this.running.delete(key);
      throw err;
    }
    auditStreamed(audit, { result: 'started' });
    return {
      run: async (emit, signal) => {
        let outcome: { result: DrainResult; message: string } = { result: 'failed', message: 'The drain stopped on an error.' };
        try {
          emit({ type: 'cordoned', node, already });
          outcome = await this.evictAll(caller, cluster, node, options, Date.now() + timeoutSeconds * 1000, emit, signal);
          return outcome.result;
        } catch (err) {
          outcome = { result: 'failed', message: `${(err as Error).message} The node stays cordoned; drain it again, or uncordon it.` };
          emit({ type: 'done', ...outcome });
          return outcome.result;
        } finally {
          this.running.delete(key);
          auditStreamed(audit, { result: outcome.result, detail: outcome.message });
        }
      },
    };
  }

  private async evictAll(
    caller: Caller,
    cluster: string,
    node: string,
    options: DrainBody,
    deadline: number,
    emit: (event: DrainEvent) => void,
    signal: AbortSignal,
  ): Promise<{ result: DrainResult; message: string }> {
    const done = (result: DrainResult, message: string, pods?: DrainPodRef[]) => {
      emit({ type: 'done', result, message, ...(pods ? { pods } : {}) });
      return { result, message };
    };
    const list = await this.kube.json<{ items: KubePod[] }>(cluster, caller, {
      method: 'GET',
      path: '/api/v1/pods' + query({ fieldSelector: `spec.nodeName=${node}`, limit: MAX_NODE_PODS }),
    });
    const pods = list.items;
    const plan = drainPlan(pods);
    emit({ type: 'plan', ...plan });
    const refusals = drainRefusals(plan, options);
    if (refusals.length) {
      const needs = [...new Set(refusals.flatMap((p) => p.concerns))].map(consentFlag).join(' and ');
      return done(
        'refused',
        `Nothing was evicted: ${refusals.map((p) => `${p.namespace}/${p.name} (${p.concerns.join(', ')})`).join(', ')} would be lost for good. Choose ${needs} to evict them anyway, or move them yourself. The node stays cordoned; uncordon it to undo.`,
        refusals.map(({ namespace, name }) => ({ namespace, name })),
      );
    }
    if (!plan.evict.length) return done('drained', `No pod to evict${plan.skipped.length ? ` (${plan.skipped.length} left running: DaemonSet or mirror pods)` : ''}; the node is cordoned.`);

    const byRef = new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
    const budgets = new Map<string, Promise<Array<{ name: string; selector: unknown }>>>();
    const states = new Map<string, 'evicted' | 'failed' | 'pending'>();
    const queue = [...plan.evict];
    const stopped = () => signal.aborted || Date.now() >= deadline;
    const worker = async () => {
      for (let ref = queue.shift(); ref; ref = queue.shift()) {
        const pod = byRef.get(`${ref.namespace}/${ref.name}`);
        if (!pod) continue;
        states.set(`${ref.namespace}/${ref.name}`, await this.evictOne(caller, cluster, pod, budgets, emit, stopped, signal));
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_EVICTIONS, plan.evict.length) }, worker));

    const left = plan.evict.filter((p) => states.get(`${p.namespace}/${p.name}`) !== 'evicted');
    const failed = plan.evict.filter((p) => states.get(`${p.namespace}/${p.name}`) === 'failed');
    const names = (refs: DrainPodRef[]) => refs.map((p) => `${p.namespace}/${p.name}`).join(', ');
    if (signal.aborted) return done('cancelled', `Stopped: ${left.length} pod(s) not evicted (${names(left)}). The node stays cordoned.`, left);
    if (failed.length) return done('failed', `${failed.length} pod(s) could not be evicted: ${names(failed)} (see each pod's reason). The node stays cordoned; fix that and drain again, or uncordon it.`, failed);
    if (left.length) {
      return done(
        'timed out',
        `The drain's deadline passed with ${left.length} pod(s) still on the node: ${names(left)}. A disruption budget may not allow it yet: scale the workload up or relax the budget, then drain again (perhaps with a longer timeout). The node stays cordoned.`,
        left,
      );
    }
    return done('drained', `Node ${node} is drained: ${plan.evict.length} pod(s) evicted${plan.skipped.length ? `, ${plan.skipped.length} DaemonSet or mirror pod(s) left running` : ''}. It stays cordoned until you uncordon it.`);
  }

  /** Evicts one pod, asking again while a budget says no, then waits until it is gone. */
  private async evictOne(
    caller: Caller,
    cluster: string,
    pod: KubePod,
    budgets: Map<string, Promise<Array<{ name: string; selector: unknown }>>>,
    emit: (event: DrainEvent) => void,
    stopped: () => boolean,
    signal: AbortSignal,
  ): Promise<'evicted' | 'failed' | 'pending'> {
    const { namespace, name, uid } = pod.metadata;
    const path = resourcePath({ group: 'core', version: 'v1', resource: 'pods', namespace, name });
    emit({ type: 'pod', namespace, name, state: 'evicting' });
    for (let attempt = 0; ; attempt++) {
      if (stopped()) return 'pending';
      try {
        await this.kube.json(cluster, caller, {
          method: 'POST',
          path: `${path}/eviction`,
          body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, deleteOptions: { preconditions: { uid } } }),
        });
        break;
      } catch (err) {
        const status = err instanceof HttpException ? err.getStatus() : 0;
        if (status === 404) {
          emit({ type: 'pod', namespace, name, state: 'evicted', message: 'Already gone.' });
          return 'evicted';
        }
        if (status === 429) {
          const budget = await this.budgetOf(caller, cluster, pod, budgets).catch(() => undefined);
          emit({
            type: 'pod',
            namespace,
            name,
            state: 'waiting',
            ...(budget ? { budget } : {}),
            message: budget
              ? `Waiting on budget ${budget}: evicting now would leave fewer pods than it allows. It goes ahead as soon as the budget allows (scale the workload up, or relax the budget).`
              : `Waiting: ${(err as Error).message}`,
          });
          await pause(BUDGET_BACKOFF_MS[Math.min(attempt, BUDGET_BACKOFF_MS.length - 1)] ?? 5000, signal);
          continue;
        }
        const what =
          status === 403
            ? `You may not evict pods in namespace ${namespace} (create pods/eviction); ask for that right, or ask someone who has it to drain the node.`
            : `${(err as Error).message} Drain again to retry this pod.`;
        emit({ type: 'pod', namespace, name, state: 'failed', message: what });
        return 'failed';
      }
    }
    emit({ type: 'pod', namespace, name, state: 'terminating' });
    while (!stopped()) {
      try {
        const now = await this.kube.json<KubePod>(cluster, caller, { method: 'GET', path });
        if (now.metadata.uid !== uid) break;
      } catch (err) {
        if (err instanceof HttpException && err.getStatus() === 404) break;
        if (!(err instanceof HttpException && err.getStatus() === 429)) throw err;
      }
      await pause(GONE_POLL_MS, signal);
    }
    if (stopped()) return 'pending';
    emit({ type: 'pod', namespace, name, state: 'evicted' });
    return 'evicted';
  }

  /** The name of the disruption budget that covers `pod` (read once per namespace and drain). */
  private async budgetOf(caller: Caller, cluster: string, pod: KubePod, budgets: Map<string, Promise<Array<{ name: string; selector: unknown }>>>): Promise<string | undefined> {
    const namespace = pod.metadata.namespace;
    let list = budgets.get(namespace);
    if (!list) {
      list = this.kube
        .json<{ items: Array<{ metadata: { name: string }; spec?: { selector?: unknown } }> }>(cluster, caller, {
          method: 'GET',
          path: resourcePath({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespace }),
        })
        .then((l) => l.items.map((b) => ({ name: b.metadata.name, selector: b.spec?.selector })));
      list.catch(() => budgets.delete(namespace));
      budgets.set(namespace, list);
    }
    const labels = Object.fromEntries(Object.entries(asObject(pod.metadata.labels)).map(([k, v]) => [k, asString(v) ?? '']));
    return (await list)
      .filter((b) => selectorMatches(b.selector, labels))
      .map((b) => b.name)
      .join(', ') || undefined;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
