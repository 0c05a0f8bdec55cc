import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { ApiClient, ApiError, KubeObject, LiveList, Permissions, WatchStream } from '@cairn/data-access';
import { Notice, TimeAgo } from '@cairn/ui-kit';
import { WhyCantI } from '@cairn/ui-kit-access';
import { DiffLine, DiffView, lineDiff } from '@cairn/ui-kit-yaml';
import { MANIFEST_YAML_OPTIONS } from '@cairn/api-contracts';
import { asObject, Json, Revision, revisionHistory, rollbackPlan, RolloutKind, rolloutProgress, shownRevisions } from '@cairn/kube-model';
import { stringify } from 'yaml';
import { podSelector, WorkloadKind } from '../../workload-kinds';
import { ActionNotice, runAction } from '../../action-notice';

/** A rollback checked by the API server (a server-side dry run), waiting for the person to confirm it. */
interface RollbackPreview {
  revision: number;
  /** The patch that was dry-run, carrying the resourceVersion it was planned from. */
  patch: Json;
  patchType: 'json' | 'strategic';
  /** The live object against the API server's dry-run answer. */
  lines: DiffLine[];
}

const yaml = (value: Json) => stringify(value, MANIFEST_YAML_OPTIONS);
/** Dry runs of one preview: the first with the page's copy, then with the object read again after a 409. */
const PREVIEW_ATTEMPTS = 3;
/** What a rollback may change, drawn for the preview: annotations and spec (status and bookkeeping left out). */
const changeable = (o: Json) => ({ metadata: { annotations: asObject(asObject(o)['metadata'])['annotations'] }, spec: asObject(o)['spec'] });

/**
 * A Deployment's, StatefulSet's or DaemonSet's rollouts, on its page: the live progress (as
 * `kubectl rollout status` says it), pause and resume (Deployment), the revision history
 * (`kubectl rollout history`: the Deployment's ReplicaSets, the others' ControllerRevisions,
 * watched), a diff of the pod template between any two revisions, and a rollback to one of them
 * (`kubectl rollout undo --to-revision`): previewed first as the API server's dry-run answer
 * against the live object, applied only on confirmation and only if the object is still at the
 * version previewed (else the API server's 409 is shown). Changes are offered only when the
 * access review allows `patch` on the workload.
 */
@Component({
  selector: 'cairn-rollouts',
  imports: [DiffView, Notice, TimeAgo, WhyCantI],
  templateUrl: './rollouts.html',
  styleUrl: './rollouts.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Rollouts {
  readonly cluster = input.required<string>();
  readonly kind = input.required<WorkloadKind>();
  readonly object = input.required<KubeObject>();
  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream);
  private readonly permissions = inject(Permissions);

  protected readonly rolloutKind = computed(() => this.kind().resource as RolloutKind);
  protected readonly isDeployment = computed(() => this.rolloutKind() === 'deployments');
  protected readonly progress = computed(() => rolloutProgress(this.rolloutKind(), this.object()));
  protected readonly bar = computed(() => {
    const p = this.progress();
    const of = (n: number) => (p.desired > 0 ? Math.min(100, Math.round((n / p.desired) * 100)) : 100);
    return { updated: of(p.updated), available: of(p.available) };
  });

  protected readonly records = signal<LiveList | undefined>(undefined);
  protected readonly recordsError = computed(() => this.records()?.error());
  protected readonly recordsForbidden = computed(() => this.records()?.forbidden() ?? false);
  protected readonly recordKind = computed(() => (this.isDeployment() ? 'ReplicaSets' : 'ControllerRevisions'));
  protected readonly history = computed(() => revisionHistory(this.rolloutKind(), this.object(), this.records()?.items() ?? []));
  protected readonly shown = computed(() => shownRevisions(this.history()));

  /** The two revisions compared, by number; undefined until chosen (then: the previous and the current). */
  private readonly chosenFrom = signal<number | undefined>(undefined);
  private readonly chosenTo = signal<number | undefined>(undefined);
  protected readonly compareFrom = computed(() => this.pick(this.chosenFrom(), 1));
  protected readonly compareTo = computed(() => this.pick(this.chosenTo(), 0));
  protected readonly diff = computed(() => {
    const from = this.history().find((r) => r.revision === this.compareFrom());
    const to = this.history().find((r) => r.revision === this.compareTo());
    return from && to ? lineDiff(yaml(from.template), yaml(to.template)) : [];
  });

  /** `patch` on this workload, from the batched access review. */
  protected readonly canPatch = signal(false);
  protected readonly busy = signal(false);
  protected readonly notice = signal<ActionNotice>(undefined);
  protected readonly preview = signal<RollbackPreview | undefined>(undefined);

  constructor() {
    effect(() => {
      const cluster = this.cluster();
      const kind = this.kind();
      const object = this.object();
      const selector = podSelector(object);
      const namespace = object.metadata.namespace;
      const resource = kind.resource === 'deployments' ? 'replicasets' : 'controllerrevisions';
      const name = object.metadata.name;
      untracked(() => {
        const current = this.records();
        if (current && current.query.cluster === cluster && current.query.labelSelector === selector && current.query.resource === resource && current.query.namespace === namespace) return;
        current?.stop();
        this.records.set(selector ? new LiveList(this.api, this.watch, { cluster, namespace, group: 'apps', version: 'v1', resource, labelSelector: selector }) : undefined);
        this.canPatch.set(false);
        void this.permissions
          .can(cluster, { verb: 'patch', group: kind.group, resource: kind.resource, namespace, name })
          .catch(() => false)
          .then((allowed) => this.canPatch.set(allowed));
      });
    });
    inject(DestroyRef).onDestroy(() => this.records()?.stop());
  }

  /** A chosen revision if it still exists, else the one `back` places behind the newest. */
  private pick(chosen: number | undefined, back: number): number | undefined {
    const history = this.history();
    if (chosen !== undefined && history.some((r) => r.revision === chosen)) return chosen;
    const current = history.findIndex((r) => r.current);
    return history[Math.min(history.length - 1, Math.max(0, current) + back)]?.revision;
  }

  protected chooseFrom(value: string): void {
    this.chosenFrom.set(Number(value));
  }

  protected chooseTo(value: string): void {
    this.chosenTo.set(Number(value));
  }

  protected compareWithCurrent(revision: Revision): void {
    this.chosenFrom.set(this.history().find((r) => r.current)?.revision);
    this.chosenTo.set(revision.revision);
  }

  /** Runs a change and says what happened in words; true when it was made. */
  private act(what: string, action: () => Promise<unknown>, done: string): Promise<boolean> {
    return runAction({ busy: this.busy, notice: this.notice }, what, action, done);
  }

  /** `kubectl rollout pause|resume`: a merge patch of `spec.paused`. */
  protected setPaused(paused: boolean): Promise<boolean> {
    const name = this.object().metadata.name;
    return this.act(
      `${paused ? 'pause' : 'resume'} the rollout of ${name}`,
      () => this.api.patch(this.cluster(), this.kind(), name, this.object().metadata.namespace, { spec: { paused } }, 'merge'),
      paused ? `The rollout of ${name} is paused: changes to its template wait until it is resumed.` : `The rollout of ${name} is resumed.`,
    );
  }

  /**
   * Plans the rollback from the live object, has the API server dry-run it, and shows its answer
   * against the live object. The plan carries the object's resourceVersion (so a change made
   * between this preview and the confirmation is the API server's 409); when the dry run itself
   * is a 409, the page's copy was behind the API server (the controller writes status and its
   * revision annotation right after every rollout), so the object is read again and planned
   * from that, at most PREVIEW_ATTEMPTS times.
   */
  protected async previewRollback(revision: Revision): Promise<void> {
    const record = this.records()?.items().find((item) => item.metadata.name === revision.name);
    this.preview.set(undefined);
    if (!record) {
      this.notice.set({ ok: false, text: `Revision ${revision.revision} (${revision.name}) is gone; the history shows what is left.` });
      return;
    }
    let live = this.object();
    const planFrom = (object: KubeObject) => {
      const plan = rollbackPlan(this.rolloutKind(), object, record, object.metadata.resourceVersion);
      if (plan.action === 'patch') return plan;
      this.notice.set({ ok: plan.action === 'skip', text: plan.action === 'skip' ? `Nothing to roll back: ${plan.reason}.` : `Cannot roll back to revision ${revision.revision}: ${plan.reason}.` });
      return undefined;
    };
    let plan = planFrom(live);
    if (!plan) return;
    await this.act(
      `check the rollback to revision ${revision.revision}`,
      async () => {
        for (let attempt = 1; plan; attempt++) {
          try {
            const answer = await this.api.patch(this.cluster(), this.kind(), live.metadata.name, live.metadata.namespace, plan.patch, plan.patchType, { dryRun: true });
            this.preview.set({ revision: revision.revision, patch: plan.patch, patchType: plan.patchType, lines: lineDiff(yaml(changeable(live)), yaml(changeable(answer))) });
            return;
          } catch (err) {
            if (!(err instanceof ApiError && err.status === 409) || attempt >= PREVIEW_ATTEMPTS) throw err;
            live = await this.api.get(this.cluster(), this.kind(), live.metadata.name, live.metadata.namespace);
            plan = planFrom(live);
          }
        }
      },
      '',
    );
  }

  protected async confirmRollback(): Promise<void> {
    const preview = this.preview();
    if (!preview) return;
    const { name, namespace } = this.object().metadata;
    this.busy.set(true);
    this.notice.set(undefined);
    try {
      await this.api.patch(this.cluster(), this.kind(), name, namespace, preview.patch, preview.patchType);
      this.notice.set({ ok: true, text: `Rolling ${name} back to revision ${preview.revision}: its pods are replaced by that revision's, as the progress above shows.` });
    } catch (err) {
      const conflict = err instanceof ApiError && err.status === 409;
      const why = err instanceof ApiError ? err.message : (err as Error).message;
      this.notice.set({
        ok: false,
        text: conflict
          ? `${name} changed after the preview, so nothing was rolled back (the API server answered: ${why}). Preview the rollback again to see what it changes now.`
          : `Could not roll ${name} back to revision ${preview.revision}: ${why}`,
      });
    } finally {
      this.preview.set(undefined);
      this.busy.set(false);
    }
  }

  protected cancelRollback(): void {
    this.preview.set(undefined);
  }
}
