import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, input, OnInit, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ClusterStatus, ClusterSummary, WhoAmI } from '@cairn/api-contracts';
import { ApiClient, ConsoleContext, ScopedLiveList, userClusterLabel, WatchStream } from '@cairn/data-access';
import { Problem, PROBLEM_KINDS, ProblemResource, problemsAmong } from '@cairn/kube-model';
import { Notice, StatusBadge } from '@cairn/ui-kit';
import { MFE_MANIFEST } from '../remotes/remotes';

/**
 * Objects of each kind one card reads at most (listed in pages of 500, then 2 500), so a big
 * cluster's home card never asks for everything at once; past it the card says it looked at
 * part of the cluster.
 */
export const HOME_MAX_PER_KIND = 2000;
/** Problems one card lists; the rest are counted, with a link to the workloads overview. */
export const HOME_MAX_PROBLEMS_SHOWN = 30;

/**
 * One cluster on the home page: whether its API server answers and its version (`/status`),
 * who the user is there (`/whoami`, a SelfSubjectReview), and what needs attention there by
 * kube-model's one rule (`objectProblem`), live. Someone who may not list workloads across the
 * cluster (a tenant) sees the namespaces they said are theirs, and may add one here. Whatever
 * fails stays on this card: an unreachable cluster shows why, and the other cards go on.
 */
@Component({
  selector: 'cairn-cluster-card',
  imports: [RouterLink, Notice, StatusBadge],
  template: `
    <header>
      <h2 [id]="headingId()">{{ label() }}</h2>
      @if (status(); as s) {
        <cairn-status [status]="s.reachable ? { health: 'ok', text: 'Reachable' } : { health: 'failed', text: 'Not reachable' }" />
        @if (s.version) { <span class="version">{{ s.version }}</span> }
      } @else if (statusError()) {
        <cairn-status [status]="{ health: 'failed', text: 'Not reachable' }" />
      } @else {
        <span class="muted">Checking…</span>
      }
    </header>
    @if (statusError() ?? status()?.error; as e) {
      <cairn-notice tone="error">{{ e }}</cairn-notice>
    }
    @if (who(); as w) {
      <p class="who">You are <strong>{{ w.username }}</strong>@if (w.groups.length) {<span class="muted"> · {{ w.groups.length }} {{ w.groups.length === 1 ? 'group' : 'groups' }}</span>}</p>
    } @else if (whoError(); as e) {
      @if (status()?.reachable) { <p class="who muted">Who you are here could not be asked: {{ e }}</p> }
    }
    @if (started()) {
      <section [attr.aria-label]="'Needs attention in ' + label()">
        <h3>Needs attention <span class="muted scope">{{ scope() }}@if (!loading() && problems().length) { · {{ problems().length }} }</span></h3>
        @for (e of errors(); track e) { <cairn-notice tone="error">{{ e }}</cairn-notice> }
        @if (refusedEverywhere()) {
          <p class="muted">You may not list workloads across this cluster. Add a namespace of yours to see its problems:</p>
        } @else if (loading()) {
          <p class="muted" role="status">Looking for problems…</p>
        } @else if (problems().length === 0) {
          <cairn-notice tone="ok">Nothing needs attention {{ scope() }}.</cairn-notice>
        } @else {
          <ul class="problems" tabindex="0" [attr.aria-label]="'Problems in ' + label()">
            @for (p of shown(); track p.resource + p.namespace + p.name) {
              <li>
                <cairn-status [status]="p.status" />
                <a [routerLink]="['/workloads', p.resource, p.namespace || '_', p.name]" [queryParams]="{ cluster: cluster().name }">{{ p.kind }} {{ p.name }}</a>
                <span class="muted">{{ p.namespace }}{{ p.detail ? ' · ' + p.detail : '' }}</span>
              </li>
            }
          </ul>
          @if (problems().length > shown().length) {
            <p class="muted">and {{ problems().length - shown().length }} more: <a routerLink="/workloads" [queryParams]="{ cluster: cluster().name }">see them all in Workloads</a></p>
          }
        }
        @if (discoveryLimit(); as limit) {
          <p class="muted">{{ limit }}</p>
        }
        @if (truncated()) {
          <p class="muted">Looked at the first {{ maxPerKind }} objects of each kind; there are more in this cluster.</p>
        }
        @if (mayAddNamespace()) {
          <form class="add-namespace" (submit)="$event.preventDefault(); addNamespace($any($event.target).elements.namespace)">
            <label [for]="headingId() + '-ns'">{{ namespaces() ? 'Another namespace' : 'Your namespace' }}</label>
            <input [id]="headingId() + '-ns'" name="namespace" autocomplete="off" spellcheck="false" placeholder="e.g. team-a" />
            <button type="submit">Add</button>
          </form>
          @if (namespaceError(); as e) { <cairn-notice tone="error">{{ e }}</cairn-notice> }
        }
      </section>
    }
    @if (links().length) {
      <nav class="links" [attr.aria-label]="'Open ' + label()">
        @for (l of links(); track l.text) {
          <a [routerLink]="l.path" [queryParams]="{ cluster: cluster().name }">{{ l.text }}</a>
        }
      </nav>
    }
  `,
  styles: `
    :host { display: flex; flex-direction: column; gap: 0.25rem; padding: 0.75rem 1rem; border: 1px solid var(--cairn-border); border-radius: 8px;
      background: var(--cairn-surface); min-width: 0; }
    header { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.75rem; }
    h2 { font-size: 1.1rem; margin: 0; overflow-wrap: anywhere; }
    h3 { font-size: 0.95rem; margin: 0.5rem 0 0.25rem; }
    .scope { font-weight: normal; font-size: 0.85rem; }
    .version { font-family: ui-monospace, monospace; font-size: 0.85rem; color: var(--cairn-muted); }
    .who { margin: 0.25rem 0; overflow-wrap: anywhere; }
    .muted { color: var(--cairn-muted); }
    .problems { list-style: none; padding: 0 0.25rem 0 0; margin: 0; max-height: 22rem; overflow-y: auto; }
    .problems li { display: flex; flex-wrap: wrap; gap: 0.25rem 0.5rem; align-items: center; padding: 0.3rem 0; border-bottom: 1px solid var(--cairn-border); }
    .problems li:last-child { border-bottom: 0; }
    .problems a { overflow-wrap: anywhere; }
    .links { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin-top: 0.5rem; padding-top: 0.5rem; border-top: 1px solid var(--cairn-border); }
    .links a { min-height: 2rem; display: inline-flex; align-items: center; }
    .add-namespace { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-top: 0.5rem; }
    .add-namespace input, .add-namespace button { font: inherit; min-height: 2.5rem; padding: 0 0.5rem; border-radius: 4px; border: 1px solid var(--cairn-border);
      background: var(--cairn-surface); color: var(--cairn-text); box-sizing: border-box; }
    .add-namespace input { flex: 1 1 8rem; min-width: 0; }
    .add-namespace button { color: var(--cairn-accent); cursor: pointer; padding: 0 1rem; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { role: 'article', '[attr.aria-labelledby]': 'headingId()', '[attr.data-cluster]': 'cluster().name' },
})
export class ClusterCard implements OnInit {
  readonly cluster = input.required<ClusterSummary>();
  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream);
  private readonly context = inject(ConsoleContext);
  private readonly routes = new Set(inject(MFE_MANIFEST).remotes.map((r) => r.route));
  /** Where to go from the card, among the modules this console has. */
  protected readonly links = computed(() =>
    [
      { route: 'workloads', text: 'Workloads', path: ['/workloads'] },
      { route: 'workloads', text: 'Events', path: ['/workloads', 'events'] },
      { route: 'clusters', text: 'Cluster overview', path: ['/clusters', this.cluster().name] },
    ].filter((l) => this.routes.has(l.route)),
  );
  protected readonly maxPerKind = HOME_MAX_PER_KIND;
  protected readonly status = signal<ClusterStatus | undefined>(undefined);
  protected readonly statusError = signal<string | undefined>(undefined);
  protected readonly who = signal<WhoAmI | undefined>(undefined);
  protected readonly whoError = signal<string | undefined>(undefined);
  private readonly lists = signal<Partial<Record<ProblemResource, ScopedLiveList>>>({});
  protected readonly namespaceError = signal<string | undefined>(undefined);
  protected readonly started = computed(() => Object.keys(this.lists()).length > 0);

  protected readonly label = computed(() => {
    const added = userClusterLabel(this.cluster().name);
    return added === undefined ? this.cluster().name : `${added} (added)`;
  });
  protected readonly headingId = computed(() => `cluster-${this.cluster().name.replace(/[^a-zA-Z0-9-]/g, '-')}`);

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stopLists());
  }

  async ngOnInit(): Promise<void> {
    const name = this.cluster().name;
    const [status, who] = await Promise.allSettled([this.api.status(name), this.api.whoami(name)]);
    if (status.status === 'fulfilled') this.status.set(status.value);
    else this.statusError.set(message(status.reason));
    if (who.status === 'fulfilled') this.who.set(who.value);
    else this.whoError.set(message(who.reason));
    if (status.status === 'fulfilled' && status.value.reachable) this.startLists();
  }

  private listValues(): ScopedLiveList[] {
    return Object.values(this.lists()).filter((l): l is ScopedLiveList => l !== undefined);
  }

  private stopLists(): void {
    for (const list of this.listValues()) list.stop();
  }

  private startLists(): void {
    this.stopLists();
    const cluster = this.cluster().name;
    const lists: Partial<Record<ProblemResource, ScopedLiveList>> = {};
    for (const kind of PROBLEM_KINDS) {
      lists[kind.resource] = new ScopedLiveList(this.api, this.watch, { cluster, group: kind.group, version: kind.version, resource: kind.resource }, () => this.context.namespacesFor(this.api, cluster), { maxItems: HOME_MAX_PER_KIND });
    }
    this.lists.set(lists);
  }

  /** The administrator's bound on the namespaces checked for the user, when this cluster's search crossed it. */
  protected readonly discoveryLimit = computed(() => this.context.found()[this.cluster().name]?.limited?.message);

  protected readonly loading = computed(() => this.listValues().some((l) => l.loading()));
  protected readonly truncated = computed(() => this.listValues().some((l) => l.truncated()));
  /** The namespaces followed one by one (the cluster-wide lists were refused), if any. */
  protected readonly namespaces = computed(() => this.listValues().find((l) => l.namespaces())?.namespaces());
  /** Refused cluster-wide, and no namespace of the user's to look at instead. */
  protected readonly refusedEverywhere = computed(() => !this.loading() && this.started() && this.listValues().every((l) => l.refused() !== undefined && l.namespaces() === undefined));
  /** Offered to whoever was refused the cluster-wide lists, and kept while the lists restart after a namespace is added. */
  protected readonly mayAddNamespace = computed(() => {
    this.context.settingsVersion();
    return this.context.allowedNamespaces(this.cluster().name).length > 0 || this.listValues().some((l) => l.refused() !== undefined);
  });
  protected readonly scope = computed(() => {
    const namespaces = this.namespaces();
    return namespaces ? `in ${namespaces.join(', ')}` : 'in any namespace';
  });
  /** Errors other than the cluster-wide refusal a tenant expects (that one is said in words above). */
  protected readonly errors = computed(() => (this.refusedEverywhere() ? [] : [...new Set(this.listValues().flatMap((l) => l.errors()))]));

  protected readonly problems = computed<Problem[]>(() => {
    const lists = this.lists();
    return problemsAmong((resource) => lists[resource]?.items());
  });
  protected readonly shown = computed(() => this.problems().slice(0, HOME_MAX_PROBLEMS_SHOWN));

  /** Remembers a namespace as one of the user's on this cluster (the namespace picker's list too) and looks there. */
  protected addNamespace(field: HTMLInputElement): void {
    const ns = field.value.trim();
    const cluster = this.cluster().name;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) {
      this.namespaceError.set(`"${ns}" is not a namespace name: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit.`);
      return;
    }
    this.namespaceError.set(undefined);
    this.context.setAllowedNamespaces(cluster, [...this.context.allowedNamespaces(cluster), ns]);
    field.value = '';
    this.startLists();
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
