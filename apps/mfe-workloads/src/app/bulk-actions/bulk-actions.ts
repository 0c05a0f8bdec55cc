import { ChangeDetectionStrategy, Component, computed, effect, inject, input, output, signal, untracked } from '@angular/core';
import type { AccessResult } from '@cairn/api-contracts';
import { ApiClient, BulkOutcome, bulkSelectionProblem, KubeObject, Permissions, runBulk } from '@cairn/data-access';
import { LabelChange, parseLabelChange } from '@cairn/kube-model';
import { Confirmation, Notice } from '@cairn/ui-kit';
import type { WorkloadKind } from '../workload-kinds';

/** The bulk actions, each with the verb its access review asks about. */
type BulkAction = 'delete' | 'restart' | 'scale' | 'label';

/** The answers of one object's access reviews. */
interface ObjectAccess {
  delete: AccessResult;
  /** `patch` on the object: restart and label. */
  patch: AccessResult;
  /** `patch` on its scale subresource (what the gateway's scale sends). */
  scale: AccessResult;
}

/** What the last bulk action did, object by object. */
interface BulkReport {
  summary: string;
  ok: boolean;
  outcomes: BulkOutcome<KubeObject>[];
}

/** The verb each action's review asks about, and the words its results use. */
const ACTIONS: Record<BulkAction, { access: keyof ObjectAccess; verb: string; done: string; doing: string }> = {
  delete: { access: 'delete', verb: 'delete', done: 'deleted', doing: 'Deleting' },
  restart: { access: 'patch', verb: 'restart (patch)', done: 'restarted', doing: 'Restarting' },
  scale: { access: 'scale', verb: 'scale (patch the scale subresource of)', done: 'scaled', doing: 'Scaling' },
  label: { access: 'patch', verb: 'label (patch)', done: 'labelled', doing: 'Labelling' },
};

/**
 * The actions on the rows selected in a list: delete, rollout restart, scale and label, each
 * offered when the batched access reviews allow it for at least one selected object. Each
 * object goes through its own per-object request (so the gateway validates and audits each
 * one as it does a single change), at most BULK_CONCURRENCY at a time and MAX_BULK_OBJECTS in
 * all; objects whose review said no are not sent and are named in the result with the reason.
 * Nothing stops at a failure: the result lists every object as done, failed (the API server's
 * reason) or not allowed. A dry run asks the API server to check every change and store none.
 */
@Component({
  selector: 'cairn-bulk-actions',
  imports: [Notice],
  templateUrl: './bulk-actions.html',
  styleUrl: './bulk-actions.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BulkActions {
  readonly kind = input.required<WorkloadKind>();
  readonly cluster = input.required<string>();
  readonly selected = input.required<readonly KubeObject[]>();
  /** The person asked to clear the selection. */
  readonly cleared = output<void>();

  private readonly api = inject(ApiClient);
  private readonly permissions = inject(Permissions);
  private readonly confirmation = inject(Confirmation);

  protected readonly dryRun = signal(false);
  /** While an action runs: its progress, in words. */
  protected readonly progress = signal<string | undefined>(undefined);
  protected readonly report = signal<BulkReport | undefined>(undefined);
  /** Each selected object's access, by its key; an object not in it yet is still being asked about. */
  private readonly access = signal<ReadonlyMap<string, ObjectAccess>>(new Map());
  /** The cluster and kind `access` answers are about. */
  private accessScope = '';
  protected readonly tooMany = computed(() => bulkSelectionProblem(this.selected().length));

  /** The actions at least one selected object allows (no action, when none does). */
  protected readonly offered = computed(() => {
    const kind = this.kind();
    const known = this.access();
    const access = this.selected().flatMap((o) => known.get(keyOf(o)) ?? []);
    const any = (key: keyof ObjectAccess) => access.some((a) => a[key].allowed);
    return { delete: any('delete'), restart: Boolean(kind.restartable) && any('patch'), scale: Boolean(kind.scalable) && any('scale'), label: any('patch') };
  });
  protected readonly offersAny = computed(() => Object.values(this.offered()).some(Boolean));
  protected readonly checking = computed(() => !this.tooMany() && this.selected().some((o) => !this.access().has(keyOf(o))));

  constructor() {
    effect(() => {
      const kind = this.kind();
      const cluster = this.cluster();
      const selected = this.selected();
      untracked(() => {
        // Answers are about one kind on one cluster: another kind or cluster starts afresh.
        const scope = `${cluster}/${kind.group}/${kind.resource}`;
        if (scope !== this.accessScope) {
          this.accessScope = scope;
          this.access.set(new Map());
        }
        if (bulkSelectionProblem(selected.length)) return;
        const known = this.access();
        const ask = selected.filter((o) => !known.has(keyOf(o)));
        if (ask.length) void this.review(cluster, kind, ask);
      });
    });
  }

  /** One access review per object and verb; Permissions sends them together, 100 to a request. */
  private async review(cluster: string, kind: WorkloadKind, objects: readonly KubeObject[]): Promise<void> {
    const answers = await Promise.all(
      objects.map(async (o) => {
        const on = { group: kind.group, resource: kind.resource, namespace: o.metadata.namespace, name: o.metadata.name };
        const no: AccessResult = { allowed: false };
        const [remove, patch, scale] = await Promise.all([
          this.permissions.review(cluster, { ...on, verb: 'delete' }).catch(() => no),
          this.permissions.review(cluster, { ...on, verb: 'patch' }).catch(() => no),
          kind.scalable ? this.permissions.review(cluster, { ...on, verb: 'patch', subresource: 'scale' }).catch(() => no) : Promise.resolve(no),
        ]);
        return [keyOf(o), { delete: remove, patch, scale }] as const;
      }),
    );
    if (`${cluster}/${kind.group}/${kind.resource}` !== this.accessScope) return;
    this.access.set(new Map([...this.access(), ...answers]));
  }

  protected names(objects: readonly KubeObject[]): string[] {
    return objects.map(describe);
  }

  protected outcomeName(outcome: BulkOutcome<KubeObject>): string {
    return describe(outcome.target);
  }

  /** The selected objects `action` may be sent for, and the ones their review refused. */
  private split(action: BulkAction): { allowed: KubeObject[]; refused: BulkOutcome<KubeObject>[] } {
    const kind = this.kind();
    const { access: key, verb } = ACTIONS[action];
    const allowed: KubeObject[] = [];
    const refused: BulkOutcome<KubeObject>[] = [];
    for (const o of this.selected()) {
      const answer = this.access().get(keyOf(o))?.[key];
      if (answer?.allowed) allowed.push(o);
      else {
        const where = o.metadata.namespace ? ` in ${o.metadata.namespace}` : '';
        refused.push({ target: o, result: 'skipped', reason: `your role may not ${verb} ${kind.label}${where}${answer?.reason ? ` (${answer.reason})` : ''}; not sent.` });
      }
    }
    return { allowed, refused };
  }

  protected async deleteSelected(): Promise<void> {
    const kind = this.kind();
    const { allowed, refused } = this.split('delete');
    const sure = await this.confirmation.confirm({
      title: `${this.dryRun() ? 'Dry run: delete' : 'Delete'} ${allowed.length} ${allowed.length === 1 ? kind.singular : kind.label}?`,
      message: `${this.dryRun() ? 'The API server checks each deletion and deletes nothing.' : `This cannot be undone${kind.hasPods ? '; their pods are deleted too' : ''}.`}${refused.length ? ` ${refused.length} more selected you may not delete; they are left as they are.` : ''}`,
      items: this.names(allowed),
      itemsLabel: 'Objects to delete',
      confirm: this.dryRun() ? 'Check deletion' : `Delete ${allowed.length}`,
      danger: !this.dryRun(),
    });
    if (sure) await this.run('delete', allowed, refused, (o, dryRun) => this.api.delete(this.cluster(), kind, o.metadata.name, o.metadata.namespace, { dryRun }).then(() => (dryRun ? 'would be deleted' : 'deleted')));
  }

  protected async restartSelected(): Promise<void> {
    const kind = this.kind();
    const { allowed, refused } = this.split('restart');
    const sure = await this.confirmation.confirm({
      title: `${this.dryRun() ? 'Dry run: restart' : 'Restart'} ${allowed.length} ${allowed.length === 1 ? kind.singular : kind.label}?`,
      message: `New pods replace the old ones one by one, as kubectl rollout restart does.${refused.length ? ` ${refused.length} more selected you may not restart; they are left as they are.` : ''}`,
      items: this.names(allowed),
      itemsLabel: 'Objects to restart',
      confirm: this.dryRun() ? 'Check restart' : `Restart ${allowed.length}`,
    });
    if (sure) await this.run('restart', allowed, refused, (o, dryRun) => this.api.restart(this.cluster(), kind, o.metadata.name, o.metadata.namespace ?? '', { dryRun }).then(() => (dryRun ? 'would restart' : 'restarting')));
  }

  protected async scaleSelected(): Promise<void> {
    const kind = this.kind();
    const { allowed, refused } = this.split('scale');
    const answer = await this.confirmation.prompt({
      title: `Scale ${allowed.length} ${allowed.length === 1 ? kind.singular : kind.label}${this.dryRun() ? ' (dry run)' : ''}`,
      message: `Each is set to this many replicas: ${this.names(allowed).join(', ')}.${refused.length ? ` ${refused.length} more selected you may not scale.` : ''}`,
      label: 'Replicas',
      type: 'number',
      value: 1,
      confirm: this.dryRun() ? 'Check scale' : 'Scale',
      // The upper bound is the gateway's (ScaleBody): its refusal names it, per object.
      check: (value) => (/^\d+$/.test(value.trim()) ? undefined : 'Replicas must be a whole number, 0 or more.'),
    });
    if (answer === undefined) return;
    const replicas = Number(answer);
    if (replicas === 0 && !this.dryRun()) {
      const sure = await this.confirmation.confirm({ title: `Scale ${allowed.length} to 0?`, message: 'Every pod of each stops, and they serve nothing until scaled up again.', items: this.names(allowed), itemsLabel: 'Objects to scale to 0', confirm: 'Scale to 0', danger: true });
      if (!sure) return;
    }
    await this.run('scale', allowed, refused, (o, dryRun) => this.api.scale(this.cluster(), kind, o.metadata.name, o.metadata.namespace ?? '', replicas, { dryRun }).then((s) => `${dryRun ? 'would scale' : 'scaled'} to ${s.replicas}`));
  }

  protected async labelSelected(): Promise<void> {
    const kind = this.kind();
    const { allowed, refused } = this.split('label');
    const answer = await this.confirmation.prompt({
      title: `Label ${allowed.length} ${allowed.length === 1 ? kind.singular : kind.label}${this.dryRun() ? ' (dry run)' : ''}`,
      message: `key=value sets a label (replacing its value where it is set), key- removes it, on: ${this.names(allowed).join(', ')}.${refused.length ? ` ${refused.length} more selected you may not label.` : ''}`,
      label: 'Label',
      value: '',
      confirm: this.dryRun() ? 'Check label' : 'Apply label',
      check: (value) => {
        const parsed = parseLabelChange(value);
        return 'problem' in parsed ? parsed.problem : undefined;
      },
    });
    if (answer === undefined) return;
    const parsed = parseLabelChange(answer);
    if ('problem' in parsed) return;
    const { key, value }: LabelChange = parsed;
    await this.run('label', allowed, refused, async (o, dryRun) => {
      // What the object holds now, as kubectl label reads it before patching: the list's copy may
      // not have had its watch event yet (a label set a moment ago would read as missing).
      const current = await this.api.get<KubeObject>(this.cluster(), kind, o.metadata.name, o.metadata.namespace);
      const before = current.metadata.labels?.[key];
      // A merge patch of the labels alone, as kubectl label --overwrite sends: null removes the key, a value sets it.
      await this.api.patch(this.cluster(), kind, o.metadata.name, o.metadata.namespace, { metadata: { labels: { [key]: value ?? null } } }, 'merge', { dryRun });
      const would = dryRun ? 'would be ' : '';
      if (value === undefined) return before === undefined ? `had no label ${key}` : `${key} ${would}removed`;
      return before === undefined ? `${key}=${value} ${would}added` : before === value ? `${key}=${value} already set` : `${key}=${value} ${would}set (was ${before})`;
    });
  }

  private async run(action: BulkAction, allowed: KubeObject[], refused: BulkOutcome<KubeObject>[], act: (o: KubeObject, dryRun: boolean) => Promise<string>): Promise<void> {
    const dryRun = this.dryRun();
    const kind = this.kind();
    const total = allowed.length + refused.length;
    let answered = 0;
    this.report.set(undefined);
    const { doing, done: past } = ACTIONS[action];
    this.progress.set(`${doing} ${allowed.length}: 0 answered…`);
    let outcomes: BulkOutcome<KubeObject>[];
    try {
      outcomes = await runBulk(allowed, (o) => act(o, dryRun), { onOutcome: () => this.progress.set(`${doing} ${allowed.length}: ${++answered} answered…`) });
    } catch (err) {
      this.progress.set(undefined);
      this.report.set({ ok: false, summary: (err as Error).message, outcomes: [] });
      return;
    }
    const all = [...outcomes, ...refused];
    const done = outcomes.filter((o) => o.result === 'done').length;
    const failed = outcomes.length - done;
    const what = `${done} of ${total} ${total === 1 ? kind.singular : kind.label}`;
    const parts = [dryRun ? `Dry run, nothing was changed: ${what} would be ${past}.` : `${past.charAt(0).toUpperCase()}${past.slice(1)} ${what}.`];
    if (failed) parts.push(`${failed} failed.`);
    if (refused.length) parts.push(`${refused.length} not sent: not allowed.`);
    this.progress.set(undefined);
    this.report.set({ ok: done === total, summary: parts.join(' '), outcomes: all });
  }
}

function keyOf(o: KubeObject): string {
  return o.metadata.uid ?? `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** "team-a/web", or "web" for a cluster-scoped object. */
function describe(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}
