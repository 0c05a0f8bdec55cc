import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import { ApiClient, ApiError, KubeObject } from '@cairn/data-access';
import { Notice } from '@cairn/ui-kit';
import type { DebugStarted } from '@cairn/api-contracts';
import { asArray, asObject, asString, containerRunState, DEFAULT_DEBUG_IMAGE, podHasCrashedContainers } from '@cairn/kube-model';
import { commandWords } from '../pod-terminal/command-words';

/** What the form is doing, in words for its status line. */
type Progress = { kind: 'idle' } | { kind: 'sending' } | { kind: 'failed'; message: string };

/**
 * The pod's Debug view, as `kubectl debug -it`: add an ephemeral debug container (image,
 * optional target container whose processes it sees, command), or create a copy of the pod with
 * a debug container (for a pod whose containers crash: there is no process to join). Each form
 * shows only when the access review allows it (`patch pods/ephemeralcontainers`, `create pods`).
 * Once the API server has the container, the view waits (on the live pod) until it runs, then
 * opens the terminal attached to it — `?view=debug&debugging=<container>` on the pod that holds it.
 */
@Component({
  selector: 'cairn-pod-debug',
  imports: [Notice],
  templateUrl: './pod-debug.html',
  styleUrl: './pod-debug.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PodDebug {
  readonly cluster = input.required<string>();
  readonly pod = input.required<KubeObject>();
  readonly canAddContainer = input(false);
  readonly canCopy = input(false);
  /** The debug container just started here (from the address), waited for until it runs. */
  readonly debugging = input<string | undefined>(undefined);

  private readonly api = inject(ApiClient);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  protected readonly defaultImage = DEFAULT_DEBUG_IMAGE;
  protected readonly name = computed(() => this.pod().metadata.name);
  protected readonly namespace = computed(() => this.pod().metadata.namespace ?? '');
  protected readonly containers = computed(() => asArray(asObject(this.pod()['spec'])['containers']).map((c) => asString(asObject(c)['name']) ?? '').filter(Boolean));
  protected readonly crashed = computed(() => podHasCrashedContainers(this.pod()));
  protected readonly running = computed(() => asString(asObject(this.pod()['status'])['phase']) === 'Running');

  protected readonly image = signal(DEFAULT_DEBUG_IMAGE);
  protected readonly target = signal('');
  protected readonly command = signal('');
  protected readonly progress = signal<Progress>({ kind: 'idle' });

  protected readonly copyName = signal('');
  protected readonly copyImage = signal(DEFAULT_DEBUG_IMAGE);
  protected readonly copyContainer = signal('');
  protected readonly copyCommand = signal('sh');
  protected readonly shareProcesses = signal(true);
  protected readonly copyProgress = signal<Progress>({ kind: 'idle' });
  /** kubectl's own default for --copy-to is none; ours is `<pod>-debug`. */
  protected readonly shownCopyName = computed(() => this.copyName() || `${this.name()}-debug`.slice(0, 253));
  /** Whether the copy changes one of the pod's containers instead of adding one. */
  protected readonly replacesContainer = computed(() => this.containers().includes(this.copyContainer()));

  /** The state of the container being waited for, as the pod's status says. */
  protected readonly waiting = computed(() => {
    const container = this.debugging();
    return container ? { container, ...containerRunState(this.pod(), container) } : undefined;
  });

  constructor() {
    // Once the debug container runs, attach to it (kubectl debug -it does the same).
    effect(() => {
      const w = this.waiting();
      if (w?.state !== 'running') return;
      untracked(() => void this.router.navigate([], { relativeTo: this.route, queryParams: { view: 'exec', container: w.container, shell: 'attach', debugging: null, tab: null }, queryParamsHandling: 'merge' }));
    });
  }

  protected async addContainer(): Promise<void> {
    const command = commandWords(this.command());
    await this.send(this.progress, () =>
      this.api.addDebugContainer(this.cluster(), this.namespace(), this.name(), { image: this.image().trim(), ...(this.target() ? { target: this.target() } : {}), ...(command.length ? { command } : {}) }),
    );
  }

  protected async copy(): Promise<void> {
    const command = commandWords(this.copyCommand());
    const image = this.copyImage().trim();
    await this.send(this.copyProgress, () =>
      this.api.copyPodToDebug(this.cluster(), this.namespace(), this.name(), {
        copyName: this.shownCopyName(),
        ...(image ? { image } : {}),
        ...(this.copyContainer().trim() ? { container: this.copyContainer().trim() } : {}),
        ...(command.length ? { command } : {}),
        shareProcesses: this.shareProcesses(),
      }),
    );
  }

  /** Sends one request; on success opens the pod that holds the debug container, waiting for it. */
  private async send(progress: typeof this.progress, request: () => Promise<DebugStarted>): Promise<void> {
    progress.set({ kind: 'sending' });
    try {
      const started = await request();
      progress.set({ kind: 'idle' });
      const queryParams = { view: 'debug', debugging: started.container, container: null, shell: null, tab: null };
      if (started.pod === this.name()) await this.router.navigate([], { relativeTo: this.route, queryParams, queryParamsHandling: 'merge' });
      else await this.router.navigate(['/workloads', 'pods', started.namespace, started.pod], { queryParams, queryParamsHandling: 'merge' });
    } catch (err) {
      progress.set({ kind: 'failed', message: err instanceof ApiError ? err.message : (err as Error).message });
    }
  }
}
