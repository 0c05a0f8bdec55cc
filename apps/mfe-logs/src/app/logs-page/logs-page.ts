import { ChangeDetectionStrategy, Component, computed, DestroyRef, DOCUMENT, effect, inject, input, signal, untracked, viewChild } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import { ApiClient, ConsoleContext, WatchStream } from '@cairn/data-access';
import { FILTER_GRAMMAR, FieldCondition, FilterSyntaxError, lineFilter, parseFilterExpression, SEVERITIES, Severity, StructuredLine } from '@cairn/kube-model';
import { EmptyState, NoCluster, Notice } from '@cairn/ui-kit';
import { WhyCantI } from '@cairn/ui-kit-access';
import { LogLine, toText } from '../log-lines/log-line';
import { BUILT_IN_KEYS, fieldNames, groupLines, hasStructured } from '../log-lines/structured-view';
import { findMatches, lineMatches, relocateMatch, SearchMatch, stepMatch } from '../log-lines/log-search';
import { LogSession, SourceLabel } from '../log-stream/log-session';
import { LogOpener, LogTarget, StreamState } from '../log-stream/log-stream';
import { LogViewport } from '../log-viewport/log-viewport';
import { LogSources, parseWorkloadRef } from './log-sources';

/** What the page reads, worked out from the URL and the pod list. */
interface Plan {
  /** Changes exactly when the streams must be opened again. */
  key: string;
  targets: LogTarget[];
  label: SourceLabel;
  /** For the status line and the download's file name. */
  title: string;
}

interface Preferences {
  timestamps: boolean;
  wrap: boolean;
  tail: number;
  since: number;
}

const PREFERENCES_KEY = 'cairn.logs.preferences';
export const BUFFER_LINES = 10_000;
/** How long typing in the field filter pauses before the lines are filtered again. */
const FILTER_DELAY_MS = 150;
const PLAIN_LINE: StructuredLine = { fields: {} };

type ReadFilter = { conditions: FieldCondition[]; error?: undefined } | { conditions?: undefined; error: string; position: number };

/** The filter box's text as conditions, or what is wrong with it and where. */
function readFilter(text: string): ReadFilter {
  try {
    return { conditions: parseFilterExpression(text) };
  } catch (e) {
    if (e instanceof FilterSyntaxError) return { error: e.message, position: e.position };
    throw e;
  }
}

/**
 * `/logs`: one container, every container of a pod, or every pod of a workload, read live.
 * The URL says what (`?cluster&ns` from the console's context, then `pod` and `container`, or
 * `workload=group/version/resource/name`), so a view can be shared as a link.
 */
@Component({
  selector: 'cairn-logs-page',
  imports: [LogViewport, EmptyState, NoCluster, Notice, WhyCantI],
  templateUrl: './logs-page.html',
  styleUrl: './logs-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LogsPage {
  /** Query parameters, bound by the router. */
  readonly pod = input<string>();
  readonly container = input<string>();
  readonly workload = input<string>();
  /**
   * `?namespace=`: this view's namespace, when it is not the console's (a link from a pod in
   * another namespace). It never changes the namespace the user chose in the top bar.
   */
  readonly namespace = input<string>();

  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream, { optional: true });
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly document = inject(DOCUMENT);
  protected readonly context = inject(ConsoleContext);
  private readonly viewport = viewChild(LogViewport);

  protected readonly bufferLines = BUFFER_LINES;
  protected readonly sinceChoices = [
    { label: 'All time', seconds: 0 },
    { label: 'Last minute', seconds: 60 },
    { label: 'Last 10 minutes', seconds: 600 },
    { label: 'Last hour', seconds: 3600 },
  ];
  protected readonly tailChoices = [100, 500, 1000, 5000, 0];

  private readonly preferences = this.loadPreferences();
  protected readonly follow = signal(true);
  /** `?previous=true`: the log of the container that ran before this one, so the link can be shared. */
  readonly previous = input<string>();
  protected readonly showPrevious = computed(() => this.previous() === 'true');
  protected readonly timestamps = signal(this.preferences.timestamps);
  protected readonly wrap = signal(this.preferences.wrap);
  protected readonly since = signal(this.preferences.since);
  protected readonly tail = signal(this.preferences.tail);
  protected readonly search = signal('');
  protected readonly matchCase = signal(false);
  private readonly currentMatch = signal<SearchMatch | undefined>(undefined);

  /** The namespace this view reads: its own (`?namespace=`), else the console's. */
  protected readonly viewNamespace = computed(() => this.namespace() || this.context.namespace());
  /** Namespaces to offer in the page's namespace field: those the user may list, or has saved for this cluster. */
  protected readonly namespaceChoices = signal<string[]>([]);
  /** Merged sources the user has hidden (`pod/container`, `pod` or `container`, as the lines carry them). */
  protected readonly hiddenSources = signal<ReadonlySet<string>>(new Set());
  /** Show only the lines that match the search. */
  protected readonly onlyMatching = signal(false);
  /** The field filter as typed; checked on every key, and while it does not parse it filters nothing and says why. */
  protected readonly fieldFilter = signal('');
  protected readonly filterGrammar = FILTER_GRAMMAR;
  /** The field filter the lines are filtered by: what was typed, once typing pauses (each keystroke re-filtering 10 000 lines would make typing lag). */
  private readonly appliedText = signal('');
  private applyTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly appliedFilter = computed(() => (this.appliedText() === this.fieldFilter() ? this.parsedFilter() : readFilter(this.appliedText())));
  /** The field filter read: its conditions, or what is wrong with it and where. */
  protected readonly parsedFilter = computed<ReadFilter>(() => {
    return readFilter(this.fieldFilter());
  });
  protected readonly severities = SEVERITIES;
  /** Show lines at this level or more severe; '' for every line. */
  protected readonly minSeverity = signal<Severity | ''>('');
  /** The time window, as the `datetime-local` fields hold it (the browser's time zone); '' for open. */
  protected readonly timeFrom = signal('');
  protected readonly timeTo = signal('');
  /** JSON/logfmt lines shown as level, chosen field columns and message (off: the raw line). */
  protected readonly asColumns = signal(true);
  protected readonly columns = signal<readonly string[]>([]);
  protected readonly colourBy = signal('');
  protected readonly groupBy = signal('');
  /** A phone-sized screen: merged sources are shown short. */
  protected readonly narrow = signal(false);

  protected readonly sources = signal<LogSources | undefined>(undefined);
  protected readonly session = signal<LogSession | undefined>(undefined);

  protected readonly workloadRef = computed(() => parseWorkloadRef(this.workload()));
  protected readonly selectedPod = computed(() => this.sources()?.pods().find((p) => p.name === this.pod()));
  protected readonly sourceValue = computed(() => (this.workloadRef() ? `w:${this.workload()}` : this.pod() ? `p:${this.pod()}` : ''));
  protected readonly containerChoices = computed(() => {
    const ref = this.workloadRef();
    if (ref) return (this.sources()?.workloads().find((w) => w.ref === this.workload())?.containers ?? []).map((name) => ({ name, init: false, restarts: 0, restarted: false }));
    return this.selectedPod()?.containers ?? [];
  });
  /** Whether the chosen container (or any, for all) has run before, so "previous" has something to show. */
  protected readonly hasPrevious = computed(() => {
    const chosen = this.container();
    return this.containerChoices().some((c) => (!chosen || c.name === chosen) && c.restarted);
  });

  private readonly plan = computed<Plan | undefined>(
    () => {
      const cluster = this.context.cluster();
      const namespace = this.viewNamespace();
      if (!cluster || !namespace) return undefined;
      const container = this.container() || undefined;
      const options = { previous: this.showPrevious(), since: this.since(), tail: this.tail() };
      const ref = this.workloadRef();
      if (ref) {
        const targets: LogTarget[] = [{ kind: 'workload', cluster, namespace, ...ref, container }];
        return { key: JSON.stringify({ targets, options }), targets, label: container ? 'pod' : 'pod/container', title: `${ref.resource}/${ref.name}${container ? ` (${container})` : ''}` };
      }
      const pod = this.pod();
      if (!pod) return undefined;
      let containers: Array<string | undefined>;
      if (container) containers = [container];
      else {
        const known = this.selectedPod();
        // Until the list arrives we do not know the containers; if it never does (not allowed), the API server picks (or says which to pick).
        if (!known && this.sources()?.loading()) return undefined;
        containers = known ? known.containers.filter((c) => !c.init).map((c) => c.name) : [undefined];
      }
      const targets: LogTarget[] = containers.map((c) => ({ kind: 'container', cluster, namespace, pod, container: c }));
      return { key: JSON.stringify({ targets, options }), targets, label: containers.length > 1 ? 'container' : 'none', title: `${pod}${container ? ` (${container})` : ''}` };
    },
    { equal: (a, b) => a?.key === b?.key },
  );

  protected readonly lines = computed(() => this.session()?.lines() ?? []);
  /** Every source the merged lines came from, in order of first appearance, with whether it is shown. */
  protected readonly sourceToggles = computed(() => {
    if (!this.session()?.sources()) return [];
    const seen = new Set<string>();
    for (const line of this.lines()) if (line.kind === 'log' && line.source) seen.add(line.source);
    const hidden = this.hiddenSources();
    return [...seen].sort().map((source) => ({ source, shown: !hidden.has(source) }));
  });
  /** Whether JSON or logfmt lines arrived: then fields, columns and the field filter are offered. */
  protected readonly structured = computed(() => hasStructured(this.lines()));
  /** Field names to choose columns, colour and groups from. */
  protected readonly fieldChoices = computed(() => (this.structured() ? fieldNames(this.lines()) : []));
  protected readonly keyChoices = computed(() => [...new Set([...BUILT_IN_KEYS, ...this.fieldChoices()])]);
  /** The expression, level and time window as one predicate over the parsed lines; undefined when none is set. */
  private readonly structuredFilter = computed(() => {
    const conditions = this.appliedFilter().conditions ?? [];
    const minSeverity = this.minSeverity() || undefined;
    const from = localTime(this.timeFrom());
    const to = localTime(this.timeTo(), 999);
    if (!conditions.length && !minSeverity && from === undefined && to === undefined) return undefined;
    const test = lineFilter({ conditions, minSeverity, from, to });
    return (line: LogLine) => test(line.structured ?? PLAIN_LINE, line.kubeTime);
  });
  /** The lines in view: without hidden sources, only those the field filter, level and time keep, only those matching the search when asked; grouped when asked. */
  protected readonly shownLines = computed(() => {
    const hidden = this.hiddenSources();
    const only = this.onlyMatching() ? this.search() : '';
    const matchCase = this.matchCase();
    const structured = this.structuredFilter();
    const group = this.groupBy();
    const lines = this.lines();
    const kept = !hidden.size && !only && !structured
      ? lines
      : lines.filter((line) => !(line.source && hidden.has(line.source)) && (line.kind !== 'log' || (lineMatches(line, only, matchCase) && (!structured || structured(line)))));
    return group ? groupLines(kept, group) : kept;
  });
  protected readonly searchResult = computed(() => findMatches(this.shownLines(), this.search(), { matchCase: this.matchCase() }));
  protected readonly currentIndex = computed(() => relocateMatch(this.searchResult().matches, this.currentMatch()));
  protected readonly matchText = computed(() => {
    const { matches, truncated } = this.searchResult();
    if (!this.search()) return '';
    if (matches.length === 0) return 'No matches';
    const count = `${matches.length.toLocaleString('en')}${truncated ? '+' : ''}`;
    const at = this.currentIndex();
    return at < 0 ? `${count} ${matches.length === 1 ? 'match' : 'matches'}` : `${(at + 1).toLocaleString('en')} of ${count}`;
  });

  /** The first stream that failed, in the gateway's words (a 403 names the verb and the resource). */
  protected readonly failure = computed(() => {
    const session = this.session();
    const states = session?.states() ?? [];
    const i = states.findIndex((s) => s.phase === 'failed');
    if (i < 0 || !session) return undefined;
    const state = states[i] as Extract<StreamState, { phase: 'failed' }>;
    const target = session.targets[i];
    const where = session.targets.length > 1 && target.kind === 'container' && target.container ? `${target.container}: ` : '';
    return { forbidden: state.status === 403, message: `${where}${state.message}` };
  });

  protected readonly status = computed(() => {
    const session = this.session();
    if (!session) return '';
    const states = session.states();
    const reconnecting = states.find((s) => s.phase === 'reconnecting');
    if (reconnecting) return `Connection lost (${reconnecting.reason}); reconnecting in ${reconnecting.inSeconds} s…`;
    if (states.some((s) => s.phase === 'connecting')) return 'Connecting…';
    if (states.length === 0) return 'Stopped following';
    const streaming = states.filter((s) => s.phase === 'streaming');
    if (streaming.length > 0) return `${streaming.some((s) => s.phase === 'streaming' && s.reconnected) ? 'Reconnected; following' : 'Following'}`;
    if (states.every((s) => s.phase === 'failed')) return 'Not reading';
    return 'End of log';
  });

  constructor() {
    effect(() => {
      const cluster = this.context.cluster();
      const namespace = this.viewNamespace();
      untracked(() => {
        this.sources()?.stop();
        this.hiddenSources.set(new Set());
        this.sources.set(cluster && namespace ? new LogSources(this.api, this.watch, cluster, namespace) : undefined);
      });
    });

    // The namespaces offered in the page's own field: listed when the user may, else the ones saved for this cluster.
    effect(() => {
      const cluster = this.context.cluster();
      this.context.settingsVersion();
      untracked(() => {
        if (!cluster) return this.namespaceChoices.set([]);
        const saved = this.context.allowedNamespaces(cluster);
        this.namespaceChoices.set(saved);
        this.api.list(cluster, { group: 'core', version: 'v1', resource: 'namespaces' }).then(
          (list) => this.context.cluster() === cluster && this.namespaceChoices.set([...new Set([...list.items.map((n) => n.metadata.name), ...saved])].sort()),
          () => undefined, // Not allowed to list them: the saved ones, and the field takes any name.
        );
      });
    });

    const phone = this.document.defaultView?.matchMedia?.('(max-width: 720px)');
    if (phone) {
      this.narrow.set(phone.matches);
      const change = (e: MediaQueryListEvent) => this.narrow.set(e.matches);
      phone.addEventListener?.('change', change);
      inject(DestroyRef).onDestroy(() => phone.removeEventListener?.('change', change));
    }

    effect(() => {
      const plan = this.plan();
      untracked(() => {
        this.session()?.stop();
        this.currentMatch.set(undefined);
        if (!plan) {
          this.session.set(undefined);
          return;
        }
        const options = { follow: this.follow(), previous: this.showPrevious(), tailLines: this.tail() || undefined, sinceSeconds: this.since() || undefined };
        this.session.set(new LogSession(this.opener, plan.targets, options, plan.label, { capacity: BUFFER_LINES }).start());
        this.viewport()?.scrollToEnd();
      });
    });

    effect(() => {
      const follow = this.follow();
      untracked(() => this.session()?.setFollow(follow));
    });

    effect(() => {
      const preferences: Preferences = { timestamps: this.timestamps(), wrap: this.wrap(), tail: this.tail(), since: this.since() };
      try {
        this.document.defaultView?.localStorage.setItem(PREFERENCES_KEY, JSON.stringify(preferences));
      } catch {
        // Storage full or refused: the choice lasts for this page only.
      }
    });

    inject(DestroyRef).onDestroy(() => {
      clearTimeout(this.applyTimer);
      this.session()?.stop();
      this.sources()?.stop();
    });
  }

  private readonly opener: LogOpener = async (path, cluster, signal) => {
    const res = await this.api.request('GET', path, { cluster, signal });
    if (!res.body) throw new Error('The gateway sent no log stream.');
    return res.body;
  };

  /** Reads another namespace in this view only (the top bar's choice stays). */
  protected chooseNamespace(value: string): void {
    const namespace = value.trim();
    if (namespace === this.viewNamespace()) return;
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: { namespace: namespace && namespace !== this.context.namespace() ? namespace : null, pod: null, workload: null, container: null, previous: null },
      queryParamsHandling: 'merge',
    });
  }

  protected toggleSource(source: string, shown: boolean): void {
    this.hiddenSources.update((hidden) => {
      const next = new Set(hidden);
      if (shown) next.delete(source);
      else next.add(source);
      return next;
    });
  }

  protected chooseSource(value: string): void {
    const queryParams = value.startsWith('w:')
      ? { workload: value.slice(2), pod: null, container: null }
      : { pod: value.startsWith('p:') ? value.slice(2) : null, workload: null, container: null };
    void this.router.navigate([], { relativeTo: this.route, queryParams: { ...queryParams, previous: null }, queryParamsHandling: 'merge' });
  }

  protected setPrevious(on: boolean): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: { previous: on ? 'true' : null }, queryParamsHandling: 'merge' });
  }

  protected chooseContainer(value: string): void {
    void this.router.navigate([], { relativeTo: this.route, queryParams: { container: value || null }, queryParamsHandling: 'merge' });
  }

  protected togglePause(): void {
    const session = this.session();
    if (!session) return;
    if (session.paused()) session.resume();
    else session.pause();
  }

  protected clear(): void {
    this.session()?.clear();
    this.currentMatch.set(undefined);
  }

  protected onSearch(value: string): void {
    this.search.set(value);
    this.currentMatch.set(undefined);
  }

  protected onSearchKey(event: KeyboardEvent): void {
    if (event.key === 'Enter') {
      event.preventDefault();
      this.step(event.shiftKey ? -1 : 1);
    } else if (event.key === 'Escape' && this.search()) {
      event.preventDefault();
      this.onSearch('');
    }
  }

  /** Moves to the next (1) or previous (-1) match and scrolls it into view. */
  protected step(direction: 1 | -1): void {
    const { matches } = this.searchResult();
    const next = stepMatch(matches, this.currentIndex(), direction);
    if (next < 0) return;
    this.currentMatch.set(matches[next]);
    this.viewport()?.scrollToIndex(matches[next].index);
  }

  protected jumpToEnd(): void {
    this.viewport()?.scrollToEnd();
  }

  protected readonly atEnd = computed(() => this.viewport()?.atEnd() ?? true);

  /** Saves the buffered lines as a text file, as they are shown (timestamps and sources when on). */
  protected download(): void {
    const session = this.session();
    const plan = this.plan();
    if (!session || !plan) return;
    const text = toText(this.shownLines(), { timestamps: this.timestamps(), sources: session.sources() });
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const a = this.document.createElement('a');
    a.href = url;
    a.download = `${plan.title.replace(/[^\w.-]+/g, '_').replace(/_+$/, '')}${this.showPrevious() ? '-previous' : ''}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  protected toggleColumn(name: string, on: boolean): void {
    this.columns.update((columns) => (on ? [...columns.filter((c) => c !== name), name] : columns.filter((c) => c !== name)));
  }

  /** Typed into the field filter: checked now, applied to the lines when typing pauses for {@link FILTER_DELAY_MS}. */
  protected typeFilter(value: string): void {
    this.fieldFilter.set(value);
    clearTimeout(this.applyTimer);
    this.applyTimer = setTimeout(() => this.appliedText.set(value), FILTER_DELAY_MS);
  }

  /** Empties the field filter, level and time window. */
  protected clearFilters(): void {
    clearTimeout(this.applyTimer);
    this.fieldFilter.set('');
    this.appliedText.set('');
    this.minSeverity.set('');
    this.timeFrom.set('');
    this.timeTo.set('');
  }

  protected readonly filtering = computed(() => !!(this.fieldFilter() || this.minSeverity() || this.timeFrom() || this.timeTo()));

  protected number(value: string): number {
    return Number(value) || 0;
  }

  private loadPreferences(): Preferences {
    // Wrapped by default: on a phone an unwrapped line is a sideways scroll.
    const fallback: Preferences = { timestamps: false, wrap: true, tail: 1000, since: 0 };
    try {
      const saved = JSON.parse(this.document.defaultView?.localStorage.getItem(PREFERENCES_KEY) ?? 'null') as Partial<Preferences> | null;
      return {
        timestamps: typeof saved?.timestamps === 'boolean' ? saved.timestamps : fallback.timestamps,
        wrap: typeof saved?.wrap === 'boolean' ? saved.wrap : fallback.wrap,
        tail: this.tailChoices.includes(saved?.tail as number) ? (saved?.tail as number) : fallback.tail,
        since: this.sinceChoices.some((c) => c.seconds === saved?.since) ? (saved?.since as number) : fallback.since,
      };
    } catch {
      return fallback;
    }
  }
}

/** A `datetime-local` value (the browser's time zone, to the second) in ms since the epoch; `extraMs` makes "to" cover its whole second. */
function localTime(value: string, extraMs = 0): number | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms + (value.length <= 16 ? extraMs + (extraMs ? 59_000 : 0) : extraMs);
}
