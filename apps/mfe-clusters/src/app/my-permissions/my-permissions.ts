import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import type { WhoAmI } from '@cairn/api-contracts';
import { ApiClient, ApiError, ConsoleContext, userClusterLabel } from '@cairn/data-access';
import { RuleLine, summariseRules } from '@cairn/kube-model';
import { Notice, ResourceTable, TableColumn } from '@cairn/ui-kit';
import { isNamespaceName } from '../cluster-settings/cluster-settings';

const RULE_COLUMNS: TableColumn<RuleLine>[] = [
  { id: 'resource', label: 'Resource', value: (l) => l.resource, fixed: true, minWidth: 10, grow: 2 },
  { id: 'verbs', label: 'Verbs', value: (l) => (l.verbs.includes('*') ? 'everything (*)' : l.verbs.join(', ')), minWidth: 10, grow: 2 },
  { id: 'names', label: 'Only these objects', value: (l) => l.resourceNames.join(', ') || 'all', minWidth: 6 },
  { id: 'kind', label: 'Kind of rule', value: (l) => (l.nonResource ? 'URL' : 'resource'), hidden: true, minWidth: 5 },
];

/**
 * `/clusters/<name>/permissions?namespace=<namespace>`: what the person may do on one cluster, in
 * one namespace (`default` when none is chosen, as `kubectl auth can-i --list`; the API server
 * reviews rules per namespace, and the rules of ClusterRoleBindings show in each): who the cluster thinks they are (SelfSubjectReview),
 * and its SelfSubjectRulesReview summarised as `kubectl auth can-i --list` prints it, with the
 * review's "incomplete" flag explained.
 */
@Component({
  selector: 'cairn-my-permissions',
  imports: [RouterLink, Notice, ResourceTable],
  template: `
    <nav class="crumbs" aria-label="Breadcrumb"><a [routerLink]="['..']" queryParamsHandling="preserve"><span aria-hidden="true">← </span>{{ label() }}</a></nav>
    <h1>My permissions on {{ label() }}</h1>
    <dl class="facts">
      <div><dt>You are</dt><dd>@if (who(); as me) { <code>{{ me.username }}</code> } @else if (whoError(); as e) { <span class="muted">{{ e }}</span> } @else { … }</dd></div>
      <div><dt>Your groups</dt><dd class="groups">@for (g of who()?.groups ?? []; track g) { <code>{{ g }}</code>@if (!$last) {<span>, </span>} } @empty { — }</dd></div>
    </dl>

    <form class="chooser" (submit)="$event.preventDefault(); choose(draft())">
      <label for="permissions-namespace">Namespace</label>
      <input id="permissions-namespace" list="permissions-namespaces" [value]="draft()" (input)="draft.set($any($event.target).value.trim())"
        placeholder="default" autocomplete="off" spellcheck="false" [attr.aria-invalid]="draftProblem() ? 'true' : null" aria-describedby="permissions-namespace-hint" />
      <datalist id="permissions-namespaces">
        @for (ns of namespaces(); track ns) { <option [value]="ns"></option> }
      </datalist>
      <button type="submit" [disabled]="Boolean(draftProblem())">Show</button>
      <span id="permissions-namespace-hint" class="hint">{{ draftProblem() ?? 'Rules granted in a namespace (a RoleBinding) show only there; rules of a ClusterRoleBinding show everywhere.' }}</span>
    </form>

    <h2 id="rules-title">In namespace {{ shown() }}</h2>
    @if (error(); as e) {
      <cairn-notice tone="error">Could not ask what you may do: {{ e }}</cairn-notice>
    } @else {
      @if (incomplete()) {
        <cairn-notice tone="warn" class="incomplete">
          <strong>This list may be incomplete.</strong> The cluster could not list every rule that applies to you{{ evaluationError() ? ' (' + evaluationError() + ')' : '' }}:
          another authorizer (a webhook, for instance) can allow more than RBAC lists, so you may be allowed things not shown here. Each button in the console still asks the cluster itself.
        </cairn-notice>
      } @else if (lines()) {
        <p class="muted complete">The cluster listed every rule that applies to you here (the review is complete).</p>
      }
      <cairn-resource-table [rows]="lines() ?? []" [columns]="columns" [rowKey]="key" label="Your permissions" tableId="my-permissions"
        [loading]="lines() === undefined" emptyText="You may do nothing here." filterPlaceholder="Filter by resource or verb" />
    }
  `,
  styles: `
    :host { display: block; }
    .crumbs { font-size: 0.875rem; margin-bottom: 0.25rem; }
    h1 { margin: 0 0 0.5rem; font-size: 1.5rem; overflow-wrap: anywhere; }
    h2 { font-size: 1.1rem; margin: 1rem 0 0.5rem; }
    .facts { display: grid; gap: 0.25rem; margin: 0 0 1rem; }
    .facts div { display: grid; grid-template-columns: 7rem 1fr; gap: 0.5rem; }
    .facts dt { font-weight: 600; }
    .facts dd { margin: 0; overflow-wrap: anywhere; }
    code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.8125rem; background: var(--cairn-hover); border-radius: 4px; padding: 0 0.25rem; }
    .groups code { display: inline-block; margin: 0 0.25rem 0.125rem 0; }
    .chooser { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
    .chooser label { font-weight: 600; }
    .chooser input { min-width: 12rem; flex: 1 1 12rem; max-width: 24rem; }
    .hint { flex-basis: 100%; font-size: 0.8125rem; color: var(--cairn-muted); }
    .muted { color: var(--cairn-muted); }
    @media (max-width: 480px) { .facts div { grid-template-columns: 1fr; gap: 0; } }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MyPermissions {
  private readonly api = inject(ApiClient);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected readonly context = inject(ConsoleContext);

  /** The route's `:name`: the console's name of the cluster. */
  readonly name = input.required<string>();
  /** `?namespace=`: the namespace asked about; none: `default`. Its own parameter: the shell's `ns` is the namespace the console shows, which a tenant's picker may not hold. */
  readonly namespace = input<string>();

  protected readonly Boolean = Boolean;
  protected readonly columns = RULE_COLUMNS;
  protected readonly key = (l: RuleLine) => `${l.nonResource ? 'url' : 'res'} ${l.resource} ${l.resourceNames.join(',')}`;
  protected readonly label = computed(() => userClusterLabel(this.name()) ?? this.name());
  protected readonly shown = computed(() => this.namespace() || 'default');
  protected readonly draft = signal('');
  protected readonly draftProblem = computed(() => {
    const d = this.draft();
    return d && !isNamespaceName(d) ? `"${d}" is not a namespace name: lower-case letters, digits and dashes, at most 63.` : undefined;
  });

  protected readonly who = signal<WhoAmI | undefined>(undefined);
  protected readonly whoError = signal<string | undefined>(undefined);
  protected readonly lines = signal<RuleLine[] | undefined>(undefined);
  protected readonly incomplete = signal(false);
  protected readonly evaluationError = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly namespaces = signal<string[]>([]);

  constructor() {
    effect((onCleanup) => {
      const cluster = this.name();
      let live = true;
      onCleanup(() => (live = false));
      this.who.set(undefined);
      this.whoError.set(undefined);
      this.api.whoami(cluster).then(
        (me) => live && this.who.set(me),
        (err: unknown) => live && this.whoError.set((err as Error).message),
      );
      // The chooser offers the namespaces the person may list, else the ones they said they work in.
      const own = this.context.allowedNamespaces(cluster);
      this.namespaces.set(own);
      this.api.list(cluster, { group: 'core', version: 'v1', resource: 'namespaces' }).then(
        (list) => live && this.namespaces.set([...new Set([...list.items.map((n) => n.metadata.name), ...own])].sort()),
        () => undefined,
      );
    });
    effect((onCleanup) => {
      const cluster = this.name();
      const namespace = this.shown();
      this.draft.set(namespace);
      let live = true;
      onCleanup(() => (live = false));
      this.lines.set(undefined);
      this.error.set(undefined);
      this.api.rulesReview(cluster, namespace).then(
        (review) => {
          if (!live) return;
          this.incomplete.set(review.incomplete);
          this.evaluationError.set(review.evaluationError);
          this.lines.set(summariseRules(review.resourceRules, review.nonResourceRules));
        },
        (err: unknown) => live && this.error.set(err instanceof ApiError ? err.message : (err as Error).message),
      );
    });
  }

  protected choose(namespace: string): void {
    if (this.draftProblem()) return;
    void this.router.navigate([], { relativeTo: this.route, queryParams: { namespace: namespace || 'default' }, queryParamsHandling: 'merge' });
  }
}
