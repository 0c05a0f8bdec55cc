import { ChangeDetectionStrategy, Component, inject, InjectionToken, OnInit, provideBrowserGlobalErrorListeners, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter, Router, RouterOutlet, Routes, withComponentInputBinding } from '@angular/router';
import { AUTH_PATHS, type ClusterSummary, type SessionSummary } from '@cairn/api-contracts';
import { ApiClient, ConsoleContext, provideConsoleServices } from '@cairn/data-access';
// Through the package, not '../states/…': this file is bundled into each remote's start-up code
// (`@cairn/ui-kit-standalone` is not shared), and a relative import would carry a second copy of
// the states beside the shared ui-kit's (Angular's NG0912 "Component ID generation collision").
// eslint-disable-next-line @nx/enforce-module-boundaries
import { EmptyState } from '@cairn/ui-kit';

/**
 * A remote served on its own for development (`npx nx serve mfe-logs`): the same services the
 * shell gives it, the same routes under the same path, and a thin bar for the cluster and
 * namespace, against a running console's API. The dev server forwards `/api` and `/auth` to
 * that console (`tools/federation/dev-proxy.mjs`; `CAIRN_CONSOLE_URL`, default
 * `http://localhost:4466`); the session cookie of a console on localhost is sent here too, as
 * cookies do not depend on the port. Inside the console none of this runs: the shell loads the
 * remote's exposed routes.
 */
export interface StandaloneRemote {
  /** The remote's federation name, shown in the bar. */
  name: string;
  /** The first path segment the console mounts the remote under (its `mfe.json` `route`). */
  route: string;
  routes: Routes;
}

const STANDALONE_REMOTE = new InjectionToken<StandaloneRemote>('the remote served on its own');
/** The header the dev proxy adds to every answer it forwards: where the console is. */
const CONSOLE_HEADER = 'x-cairn-console';
const DEFAULT_CONSOLE = 'http://localhost:4466';
/** Where the console is, as the dev proxy last said. */
const consoleLocation = signal(DEFAULT_CONSOLE);

/**
 * Starts a remote on its own page. `route` defaults to the one in the remote's `mfe.json`
 * (served from its `public/` folder), so the paths are the ones the console uses.
 */
export async function bootstrapStandaloneRemote(remote: Omit<StandaloneRemote, 'route'> & { route?: string }): Promise<void> {
  const route = remote.route ?? ((await (await fetch('mfe.json')).json()) as { route: string }).route;
  const standalone: StandaloneRemote = { ...remote, route };
  await bootstrapApplication(StandaloneRemoteFrame, {
    providers: [
      provideBrowserGlobalErrorListeners(),
      provideRouter(
        [
          { path: '', pathMatch: 'full', redirectTo: route },
          { path: route, children: remote.routes },
          { path: '**', component: ElsewhereInConsole },
        ],
        withComponentInputBinding(),
      ),
      { provide: STANDALONE_REMOTE, useValue: standalone },
      ...provideConsoleServices({ baseUrl: document.baseURI }),
    ],
  });
}

type Connection =
  | { state: 'checking' }
  | { state: 'unreachable'; detail: string }
  | { state: 'signed-out'; console: string }
  | { state: 'ready'; console: string; user: string };

@Component({
  selector: 'cairn-root',
  imports: [RouterOutlet, EmptyState],
  template: `
    <header class="bar">
      <strong>{{ remote.name }}</strong>
      <span class="muted">served on its own</span>
      @if (connection(); as c) {
        @if (c.state === 'ready') {
          <label>Cluster
            <select [value]="context.cluster() ?? ''" (change)="context.selectCluster($any($event.target).value || undefined)">
              @for (cluster of clusters(); track cluster.name) {
                <option [value]="cluster.name" [selected]="cluster.name === context.cluster()">{{ cluster.name }}</option>
              }
            </select>
          </label>
          <label>Namespace
            <input [value]="context.namespace() ?? ''" placeholder="All namespaces" spellcheck="false" autocomplete="off"
              (change)="context.selectNamespace($any($event.target).value.trim() || undefined)" />
          </label>
          <span class="muted">{{ c.user }}</span>
          <a [href]="c.console">Open the console</a>
        }
      }
    </header>
    @switch (connection().state) {
      @case ('checking') {
        <cairn-empty-state heading="Asking the console who you are…" />
      }
      @case ('unreachable') {
        <cairn-empty-state heading="No console answers behind this dev server" tone="error">
          <p>{{ remote.name }} is served on its own and reads the API of a running console, which this dev server
            forwards <code>/api</code> and <code>/auth</code> to: <code>http://localhost:4466</code>, or
            <code>CAIRN_CONSOLE_URL</code> if it was set when the dev server started.</p>
          <p>Start the console with <code>npm start</code> in another terminal, sign in there, then
            <button type="button" (click)="connect()">try again</button>.</p>
          <p class="muted">{{ detail() }}</p>
        </cairn-empty-state>
      }
      @case ('signed-out') {
        <cairn-empty-state heading="Sign in to the console first">
          <p>The console at <a [href]="consoleUrl()">{{ consoleUrl() }}</a> answers, but you are not signed in.
            Sign in there (its session cookie is sent to this page too, as both are on localhost), then
            <button type="button" (click)="connect()">try again</button>.</p>
        </cairn-empty-state>
      }
      @case ('ready') {
        <router-outlet />
      }
    }
  `,
  styles: `
    :host { display: block; }
    .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.75rem; padding: 0.5rem 1rem;
      background: var(--cairn-topbar); color: var(--cairn-topbar-text); }
    .bar a { color: inherit; }
    .bar select, .bar input { font: inherit; margin-left: 0.25rem; max-width: 12rem; }
    .muted { opacity: 0.75; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class StandaloneRemoteFrame implements OnInit {
  protected readonly remote = inject(STANDALONE_REMOTE);
  protected readonly context = inject(ConsoleContext);
  private readonly api = inject(ApiClient);
  protected readonly connection = signal<Connection>({ state: 'checking' });
  protected readonly clusters = signal<ClusterSummary[]>([]);

  ngOnInit(): void {
    void this.connect();
  }

  protected detail(): string {
    const c = this.connection();
    return c.state === 'unreachable' ? c.detail : '';
  }

  protected readonly consoleUrl = consoleLocation.asReadonly();

  /** Asks the console (through the dev proxy) who the user is, then which clusters there are. */
  protected async connect(): Promise<void> {
    this.connection.set({ state: 'checking' });
    let response: Response;
    try {
      response = await fetch(new URL(AUTH_PATHS.session, document.baseURI), { credentials: 'same-origin' });
    } catch (err) {
      this.connection.set({ state: 'unreachable', detail: (err as Error).message });
      return;
    }
    const consoleAt = response.headers.get(CONSOLE_HEADER);
    if (consoleAt) consoleLocation.set(consoleAt);
    if (!consoleAt || !response.ok) {
      // Without the header the answer did not come through the proxy from a console.
      this.connection.set({ state: 'unreachable', detail: `GET /${AUTH_PATHS.session} answered ${response.status} ${response.statusText}`.trim() });
      return;
    }
    const session = (await response.json()) as SessionSummary;
    if (!session.signedIn) {
      this.connection.set({ state: 'signed-out', console: consoleAt });
      return;
    }
    const clusters = await this.api.clusters();
    this.clusters.set(clusters);
    const wanted = new URLSearchParams(location.search).get('cluster');
    this.context.selectCluster(clusters.find((c) => c.name === wanted)?.name ?? clusters[0]?.name);
    const ns = new URLSearchParams(location.search).get('ns');
    if (ns) this.context.selectNamespace(ns);
    const identity = session.oidc?.user ?? session.tokens[0]?.user;
    this.connection.set({ state: 'ready', console: consoleAt, user: identity?.name ?? '' });
  }
}

/** A path the remote does not own (a link to another module): open it in the console instead. */
@Component({
  selector: 'cairn-elsewhere-in-console',
  imports: [EmptyState],
  template: `
    <cairn-empty-state heading="This page belongs to another part of the console">
      <p>Only <code>/{{ remote.route }}</code> is served here. Open <a [href]="consoleUrl() + path">{{ path }}</a> in the console.</p>
    </cairn-empty-state>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ElsewhereInConsole {
  protected readonly remote = inject(STANDALONE_REMOTE);
  protected readonly path = inject(Router).url;
  protected readonly consoleUrl = consoleLocation.asReadonly();
}
