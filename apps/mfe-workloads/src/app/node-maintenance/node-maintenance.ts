import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { DrainEvent, DrainPodState, DrainResult } from '@cairn/api-contracts';
import { ApiClient, ApiError, KubeObject, LiveList, Permissions, WatchStream } from '@cairn/data-access';
import { Confirmation, Notice, StatusBadge } from '@cairn/ui-kit';
import { WhyCantI } from '@cairn/ui-kit-access';
import { asArray, asObject, asString, consentFlag, DrainConcern, drainPlan, parseLabelChange, podStatus } from '@cairn/kube-model';
import { ActionNotice, runAction } from '../action-notice';

const NODES = { group: 'core', version: 'v1', resource: 'nodes' };
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

interface PodProgress {
  namespace: string;
  name: string;
  state: DrainPodState;
  message?: string;
}

/** What each drain state reads as, for people. */
const STATE_TEXT: Record<DrainPodState, string> = { evicting: 'evicting', waiting: 'waiting', terminating: 'terminating', evicted: 'evicted', failed: 'failed' };

/**
 * A Node's maintenance, on its page: cordon and uncordon, drain (the plan first — what is
 * evicted, what stays, what needs consent — then each pod's progress, live), its taints and
 * labels, and the pods on it. Each action is offered only when the caller's access reviews
 * allow it: `patch nodes`, and for a drain `create pods/eviction` in every namespace it evicts in.
 */
@Component({
  selector: 'cairn-node-maintenance',
  imports: [RouterLink, Notice, StatusBadge, WhyCantI],
  templateUrl: './node-maintenance.html',
  styleUrl: './node-maintenance.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NodeMaintenance {
  readonly cluster = input.required<string>();
  readonly node = input.required<KubeObject>();
  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream);
  private readonly permissions = inject(Permissions);
  private readonly confirmation = inject(Confirmation);

  protected readonly effects = TAINT_EFFECTS;
  protected readonly name = computed(() => this.node().metadata.name);
  protected readonly cordoned = computed(() => asObject(this.node()['spec'])['unschedulable'] === true);
  protected readonly taints = computed<Taint[]>(() =>
    asArray(asObject(this.node()['spec'])['taints']).map((t) => {
      const o = asObject(t);
      return { key: asString(o['key']) ?? '', ...(asString(o['value']) ? { value: asString(o['value']) } : {}), effect: asString(o['effect']) ?? '' };
    }),
  );
  protected readonly labels = computed(() => Object.entries(this.node().metadata.labels ?? {}).sort(([a], [b]) => a.localeCompare(b)));

  protected readonly pods = signal<LiveList | undefined>(undefined);
  protected readonly podRows = computed(() =>
    (this.pods()?.items() ?? [])
      .map((p) => ({ namespace: p.metadata.namespace ?? '', name: p.metadata.name, status: podStatus(p) }))
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)),
  );
  protected readonly plan = computed(() => drainPlan(this.pods()?.items() ?? []));
  protected readonly consentPods = computed(() => {
    const of = (concern: DrainConcern) => this.plan().needsConsent.filter((p) => p.concerns.includes(concern)).map((p) => `${p.namespace}/${p.name}`);
    return { force: of('no controller'), emptyDir: of('emptyDir data') };
  });
  protected readonly flag = consentFlag;

  /** `patch nodes` on this node. */
  protected readonly canPatch = signal(false);
  /** Whether the access review about patching the node has answered. */
  protected readonly permissionsKnown = signal(false);
  /** Namespaces whose pods the caller may evict, among those with pods on the node. */
  private readonly evictableNamespaces = signal<ReadonlySet<string>>(new Set());
  protected readonly canDrain = computed(() => this.canPatch() && this.plan().evict.every((p) => this.evictableNamespaces().has(p.namespace)));

  protected readonly busy = signal(false);
  protected readonly notice = signal<ActionNotice>(undefined);

  protected readonly drainOpen = signal(false);
  protected readonly force = signal(false);
  protected readonly deleteEmptyDirData = signal(false);
  protected readonly draining = signal(false);
  protected readonly progress = signal<PodProgress[]>([]);
  protected readonly skipped = signal<Array<{ namespace: string; name: string; reason: string }>>([]);
  protected readonly result = signal<{ result: DrainResult; message: string } | undefined>(undefined);
  protected readonly stateText = STATE_TEXT;
  private stopDrain: AbortController | undefined;

  constructor() {
    effect(() => {
      const cluster = this.cluster();
      const name = this.name();
      untracked(() => {
        const current = this.pods();
        if (current?.query.cluster === cluster && current.query.fieldSelector === `spec.nodeName=${name}`) return;
        current?.stop();
        this.pods.set(new LiveList(this.api, this.watch, { cluster, ...NODES, resource: 'pods', fieldSelector: `spec.nodeName=${name}` }));
        this.permissionsKnown.set(false);
        void this.permissions
          .can(cluster, { verb: 'patch', group: 'core', resource: 'nodes', name })
          .catch(() => false)
          .then((allowed) => {
            this.canPatch.set(allowed);
            this.permissionsKnown.set(true);
          });
      });
    });
    // Evictions are asked about per namespace, as the pods on the node come and go.
    effect(() => {
      const cluster = this.cluster();
      const namespaces = [...new Set(this.plan().evict.map((p) => p.namespace))].sort();
      untracked(() => {
        void Promise.all(namespaces.map(async (ns) => ((await this.permissions.can(cluster, { verb: 'create', group: 'core', resource: 'pods', subresource: 'eviction', namespace: ns }).catch(() => false)) ? ns : undefined))).then(
          (allowed) => this.evictableNamespaces.set(new Set(allowed.filter((ns): ns is string => Boolean(ns)))),
        );
      });
    });
    inject(DestroyRef).onDestroy(() => {
      this.pods()?.stop();
      this.stopDrain?.abort();
    });
  }

  /** Runs a change and says what happened in words; true when it was made. */
  private act(what: string, action: () => Promise<unknown>, done: string): Promise<boolean> {
    return runAction({ busy: this.busy, notice: this.notice }, what, action, done);
  }

  protected setCordoned(cordon: boolean): Promise<boolean> {
    const name = this.name();
    return this.act(
      cordon ? `cordon ${name}` : `uncordon ${name}`,
      // null removes the field, as kubectl uncordon leaves it.
      () => this.api.patch(this.cluster(), NODES, name, undefined, { spec: { unschedulable: cordon ? true : null } }, 'strategic'),
      cordon ? `${name} is cordoned: no new pods are scheduled on it.` : `${name} is uncordoned: pods may be scheduled on it again.`,
    );
  }

  /** Taints are one list with no merge key: it is written whole, only over the version shown (else a conflict). */
  private writeTaints(taints: Taint[], what: string, done: string): Promise<boolean> {
    return this.act(what, () => this.api.patch(this.cluster(), NODES, this.name(), undefined, { metadata: { resourceVersion: this.node().metadata.resourceVersion }, spec: { taints: taints.length ? taints : null } }, 'merge'), done);
  }

  protected removeTaint(taint: Taint): Promise<boolean> {
    return this.writeTaints(
      this.taints().filter((t) => !(t.key === taint.key && t.effect === taint.effect)),
      `remove taint ${taint.key}`,
      `Taint ${taint.key}:${taint.effect} removed.`,
    );
  }

  protected async addTaint(keyField: HTMLInputElement, valueField: HTMLInputElement, effect: string): Promise<void> {
    const key = keyField.value.trim();
    if (!key) {
      this.notice.set({ ok: false, text: 'A taint needs a key.' });
      return;
    }
    const taint: Taint = { key, ...(valueField.value.trim() ? { value: valueField.value.trim() } : {}), effect };
    const added = await this.writeTaints([...this.taints().filter((t) => !(t.key === key && t.effect === effect)), taint], `add taint ${key}`, `Taint ${key}${taint.value ? `=${taint.value}` : ''}:${effect} added.`);
    if (added) keyField.value = valueField.value = '';
  }

  protected removeLabel(key: string): Promise<boolean> {
    return this.act(`remove label ${key}`, () => this.api.patch(this.cluster(), NODES, this.name(), undefined, { metadata: { resourceVersion: this.node().metadata.resourceVersion, labels: { [key]: null } } }, 'merge'), `Label ${key} removed.`);
  }

  protected async addLabel(field: HTMLInputElement): Promise<void> {
    // kubectl label's argument, with the API server's key and value rules (kube-model): key=value sets, key- removes.
    const change = parseLabelChange(field.value);
    if ('problem' in change) {
      this.notice.set({ ok: false, text: change.problem });
      return;
    }
    const { key, value } = change;
    if (value === undefined) {
      if (await this.removeLabel(key)) field.value = '';
      return;
    }
    const set = await this.act(`set label ${key}`, () => this.api.patch(this.cluster(), NODES, this.name(), undefined, { metadata: { resourceVersion: this.node().metadata.resourceVersion, labels: { [key]: value } } }, 'merge'), `Label ${key}=${value} set.`);
    if (set) field.value = '';
  }

  protected openDrain(): void {
    this.force.set(false);
    this.deleteEmptyDirData.set(false);
    this.progress.set([]);
    this.skipped.set([]);
    this.result.set(undefined);
    this.drainOpen.set(true);
  }

  protected closeDrain(): void {
    this.stopDrain?.abort();
    this.drainOpen.set(false);
  }

  protected async startDrain(): Promise<void> {
    const stop = (this.stopDrain = new AbortController());
    this.draining.set(true);
    this.progress.set([]);
    this.result.set(undefined);
    try {
      for await (const event of this.api.drain(this.cluster(), this.name(), { force: this.force(), deleteEmptyDirData: this.deleteEmptyDirData() }, stop.signal)) this.apply(event);
      if (!this.result()) this.result.set({ result: 'failed', message: 'The drain stopped without saying how it ended; look at the pods below and drain again if some are left.' });
    } catch (err) {
      if (stop.signal.aborted) this.result.set({ result: 'cancelled', message: 'Stopped. Pods already evicted stay evicted; the node stays cordoned.' });
      else this.result.set({ result: 'failed', message: err instanceof ApiError ? err.message : (err as Error).message });
    } finally {
      this.draining.set(false);
      this.stopDrain = undefined;
    }
  }

  protected cancelDrain(): void {
    this.stopDrain?.abort();
  }

  private apply(event: DrainEvent): void {
    switch (event.type) {
      case 'plan':
        this.skipped.set(event.skipped);
        this.progress.set(event.evict.map((p) => ({ ...p, state: 'evicting' as const, message: 'not yet asked' })));
        break;
      case 'pod':
        this.progress.update((rows) => {
          const row = { namespace: event.namespace, name: event.name, state: event.state, message: event.message };
          return rows.some((r) => r.namespace === event.namespace && r.name === event.name) ? rows.map((r) => (r.namespace === event.namespace && r.name === event.name ? row : r)) : [...rows, row];
        });
        break;
      case 'done':
        this.result.set({ result: event.result, message: event.message });
        break;
    }
  }

  protected async confirmUncordon(): Promise<void> {
    if (await this.confirmation.confirm({ title: `Uncordon ${this.name()}?`, message: 'The scheduler may place new pods on it again.', confirm: 'Uncordon' })) await this.setCordoned(false);
  }
}
