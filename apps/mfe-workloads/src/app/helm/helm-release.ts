import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiClient, ApiError, ConsoleContext } from '@cairn/data-access';
import type { HelmHistory, HelmReleaseRow, HelmRevision } from '@cairn/api-contracts';
import { MANIFEST_YAML_OPTIONS } from '@cairn/api-contracts';
import { helmStatus, Status } from '@cairn/kube-model';
import { EmptyState, ForbiddenState, Notice, StatusBadge, TimeAgo } from '@cairn/ui-kit';
import { DiffLine, DiffView, lineDiff, YamlView } from '@cairn/ui-kit-yaml';
import { stringify } from 'yaml';

/** What a revision's tabs show: `helm get values`, `helm get values --all`, `helm get manifest`, `helm get notes`, and a diff between two revisions. */
export type HelmTab = 'values' | 'computed' | 'manifest' | 'notes' | 'diff';
/** What the diff compares. */
export type HelmDiffOf = 'values' | 'computed' | 'manifest';

/**
 * Longest text (in lines, each side) the diff compares in the browser: its line diff is
 * quadratic in the changed lines, so past this the page says so instead of freezing the tab.
 */
export const MAX_DIFF_LINES = 5000;

const yaml = (value: unknown) => (value && typeof value === 'object' && Object.keys(value).length ? stringify(value, MANIFEST_YAML_OPTIONS) : '{}\n');

/**
 * `/workloads/helm/:namespace/:name`: a Helm release's revisions (`helm history`, newest first),
 * one revision's values (given, and computed over the chart's defaults), rendered manifest and
 * notes, and the diff between any two revisions. Read-only; read when opened and on Refresh.
 */
@Component({
  selector: 'cairn-helm-release',
  imports: [RouterLink, DiffView, EmptyState, ForbiddenState, Notice, StatusBadge, TimeAgo, YamlView],
  templateUrl: './helm-release.html',
  styleUrl: './helm.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HelmRelease {
  private readonly api = inject(ApiClient);
  protected readonly context = inject(ConsoleContext);
  readonly namespace = input.required<string>();
  readonly name = input.required<string>();

  protected readonly history = signal<HelmHistory | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  protected readonly loading = signal(false);
  /** The revision whose tabs are shown. */
  protected readonly selected = signal<number | undefined>(undefined);
  protected readonly tab = signal<HelmTab>('values');
  /** The diff's two sides: from (older) and to. */
  protected readonly from = signal<number | undefined>(undefined);
  protected readonly to = signal<number | undefined>(undefined);
  protected readonly diffOf = signal<HelmDiffOf>('values');
  /** Revisions read whole, by number; an Error when one could not be read. */
  private readonly revisions = signal<ReadonlyMap<number, HelmRevision | ApiError>>(new Map());
  private asked = 0;

  constructor() {
    effect(() => {
      const cluster = this.context.cluster();
      const namespace = this.namespace();
      const name = this.name();
      untracked(() => void this.read(cluster, namespace, name));
    });
    // Read the revisions the tabs and the diff need, once each.
    effect(() => {
      const needed = this.tab() === 'diff' ? [this.from(), this.to()] : [this.selected()];
      for (const revision of needed) if (revision !== undefined) untracked(() => void this.load(revision));
    });
  }

  protected refresh(): void {
    void this.read(this.context.cluster(), this.namespace(), this.name());
  }

  private async read(cluster: string | undefined, namespace: string, name: string): Promise<void> {
    const ask = ++this.asked;
    this.error.set(undefined);
    this.revisions.set(new Map());
    if (!cluster) return;
    this.loading.set(true);
    try {
      const history = await this.api.helmHistory(cluster, namespace, name);
      if (ask !== this.asked) return;
      this.history.set(history);
      const readable = history.revisions.filter((r) => !r.error);
      const newest = readable[0]?.revision ?? history.revisions[0]?.revision;
      if (!history.revisions.some((r) => r.revision === this.selected())) this.selected.set(newest);
      if (!history.revisions.some((r) => r.revision === this.to())) this.to.set(newest);
      if (!history.revisions.some((r) => r.revision === this.from())) this.from.set(readable[1]?.revision ?? newest);
    } catch (err) {
      if (ask !== this.asked) return;
      this.history.set(undefined);
      this.error.set(err instanceof ApiError ? err : new ApiError(0, (err as Error).message));
    } finally {
      if (ask === this.asked) this.loading.set(false);
    }
  }

  private async load(revision: number): Promise<void> {
    const cluster = this.context.cluster();
    if (!cluster || this.revisions().has(revision)) return;
    const ask = this.asked;
    let result: HelmRevision | ApiError;
    try {
      result = await this.api.helmRevision(cluster, this.namespace(), this.name(), revision);
    } catch (err) {
      result = err instanceof ApiError ? err : new ApiError(0, (err as Error).message);
    }
    if (ask !== this.asked) return;
    this.revisions.update((m) => new Map(m).set(revision, result));
  }

  protected readonly latest = computed(() => this.history()?.revisions[0]);
  protected readonly shown = computed(() => {
    const n = this.selected();
    return n === undefined ? undefined : this.revisions().get(n);
  });
  protected readonly shownRevision = computed(() => {
    const r = this.shown();
    return r instanceof ApiError ? undefined : r;
  });
  protected readonly shownError = computed(() => {
    const r = this.shown();
    return r instanceof ApiError ? r.message : undefined;
  });
  protected readonly valuesYaml = computed(() => yaml(this.shownRevision()?.userValues));
  protected readonly computedYaml = computed(() => yaml(this.shownRevision()?.computedValues));

  /** The diff between `from` and `to` of what `diffOf` names, or why it cannot be drawn. */
  protected readonly diff = computed((): { lines?: DiffLine[]; problem?: string; loading?: boolean } => {
    const [a, b] = [this.from(), this.to()].map((n) => (n === undefined ? undefined : this.revisions().get(n)));
    if (a instanceof ApiError) return { problem: `Revision ${this.from()} cannot be read: ${a.message}` };
    if (b instanceof ApiError) return { problem: `Revision ${this.to()} cannot be read: ${b.message}` };
    if (!a || !b) return { loading: true };
    const text = (r: HelmRevision) => (this.diffOf() === 'manifest' ? r.manifest : yaml(this.diffOf() === 'values' ? r.userValues : r.computedValues));
    const [before, after] = [text(a), text(b)];
    const longest = Math.max(before.split('\n').length, after.split('\n').length);
    if (longest > MAX_DIFF_LINES) return { problem: `These texts are ${longest} lines long; the browser compares at most ${MAX_DIFF_LINES} lines (MAX_DIFF_LINES). Compare them with helm get manifest and a diff tool.` };
    return { lines: lineDiff(before, after) };
  });

  protected select(revision: number): void {
    this.selected.set(revision);
    if (this.tab() === 'diff') this.tab.set('values');
  }

  protected compare(revision: number): void {
    const revisions = this.history()?.revisions ?? [];
    const older = revisions.find((r) => r.revision < revision && !r.error);
    this.to.set(revision);
    this.from.set(older?.revision ?? revision);
    this.tab.set('diff');
  }

  protected pick(which: 'from' | 'to', value: string): void {
    (which === 'from' ? this.from : this.to).set(Number(value));
  }

  protected status(row: HelmReleaseRow): Status {
    return helmStatus(row.status);
  }
}
