import { AfterViewInit, ChangeDetectionStrategy, Component, computed, DestroyRef, ElementRef, inject, input, output, signal, viewChild } from '@angular/core';
import type { ClusterSummary, KubeconfigContextCheck } from '@cairn/api-contracts';
import { ApiClient, suggestUserClusterName, UserClusterStore, userClusterNameProblem } from '@cairn/data-access';
import { Notice } from '@cairn/ui-kit';
import { ClusterFacts, loadClusterFacts, messageOf } from '../cluster-facts';
import { Reachability } from '../reachability/reachability';

/** One context of the checked file, and what the user chose for it. */
interface Candidate {
  check: KubeconfigContextCheck;
  selected: boolean;
  /** The user ticked or unticked it: the probe's answer no longer changes `selected`. */
  decided?: boolean;
  name: string;
  /** Whether it answers and who the user would be there, asked before adding. */
  facts?: ClusterFacts;
}

/** Files larger than this are not kubeconfigs; the gateway refuses more than 1 MiB anyway. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Adding clusters from a kubeconfig (seed 000): paste or upload it, the gateway checks each
 * context (and says why it refuses one: `exec`, files on the server, plain http…), the console
 * asks each accepted one whether it answers and who the user is there, and the chosen ones
 * are stored in this browser under names the user picks.
 */
@Component({
  selector: 'cairn-add-cluster',
  imports: [Reachability, Notice],
  templateUrl: './add-cluster.html',
  styleUrl: './add-cluster.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AddCluster implements AfterViewInit {
  private readonly api = inject(ApiClient);
  private readonly store = inject(UserClusterStore);

  /** Names already used by the user's clusters. */
  readonly taken = input<string[]>([]);
  /** The clusters the console already has (with their servers, for a signed-in user): a context for one of them is not added twice. */
  readonly configured = input<ClusterSummary[]>([]);
  readonly added = output<string[]>();
  readonly cancelled = output<void>();

  protected readonly text = signal('');
  protected readonly fileName = signal<string | undefined>(undefined);
  protected readonly checking = signal(false);
  /** Why the file as a whole cannot be used (not YAML, no contexts, too large). */
  protected readonly fileError = signal<string | undefined>(undefined);
  protected readonly candidates = signal<Candidate[]>([]);
  protected readonly saving = signal(false);
  protected readonly saveError = signal<string | undefined>(undefined);
  private readonly heading = viewChild<ElementRef<HTMLElement>>('heading');
  private generation = 0;
  /** The user ticked, unticked or named a context of this check: later answers change no tick. */
  private userChose = false;

  protected readonly accepted = computed(() => this.candidates().filter((c) => c.check.entry));
  protected readonly refused = computed(() => this.candidates().filter((c) => !c.check.entry));
  /** Accepted contexts whose cluster did not answer through the gateway (unreachable, or an address it may not dial). */
  protected readonly silent = computed(() => this.accepted().filter((c) => c.facts && !c.facts.loading && !c.facts.status?.reachable));
  protected readonly answering = computed(() => this.accepted().filter((c) => c.facts?.status?.reachable));
  protected readonly asking = computed(() => this.accepted().filter((c) => !c.facts || c.facts.loading));
  protected readonly chosen = computed(() => this.candidates().filter((c) => c.selected && c.check.entry));

  /** Per chosen context: why its name cannot be used (bad, already used, or chosen twice). */
  protected readonly nameProblems = computed(() => {
    const problems: Record<string, string> = {};
    const seen = [...this.taken()];
    for (const c of this.chosen()) {
      const problem = userClusterNameProblem(c.name.trim(), seen);
      if (problem) problems[c.check.name] = problem;
      seen.push(c.name.trim());
    }
    return problems;
  });

  /** Per context whose server the console already has as a configured cluster: that cluster's name. */
  protected readonly alreadyConfigured = computed(() => {
    const known = new Map(this.configured().filter((c) => c.server).map((c) => [serverKey(c.server as string), c.name]));
    const found: Record<string, string> = {};
    for (const c of this.candidates()) {
      const name = c.check.server ? known.get(serverKey(c.check.server)) : undefined;
      if (name) found[c.check.name] = name;
    }
    return found;
  });
  protected readonly canAdd = computed(() => this.chosen().length > 0 && Object.keys(this.nameProblems()).length === 0 && !this.saving());

  constructor() {
    inject(DestroyRef).onDestroy(() => this.store.forgetPreviews());
  }

  ngAfterViewInit(): void {
    this.heading()?.nativeElement.focus();
  }

  protected onText(value: string): void {
    this.text.set(value);
    this.fileName.set(undefined);
  }

  protected async onFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (file) await this.readFile(file);
  }

  protected async onDrop(event: DragEvent): Promise<void> {
    const file = event.dataTransfer?.files?.[0];
    if (!file) return;
    event.preventDefault();
    await this.readFile(file);
  }

  private async readFile(file: File): Promise<void> {
    if (file.size > MAX_FILE_BYTES) {
      this.fileError.set(`${file.name} is ${Math.round(file.size / 1024)} KiB: a kubeconfig is a few KiB, and more than 1 MiB is not accepted.`);
      return;
    }
    this.text.set(await file.text());
    this.fileName.set(file.name);
    await this.check();
  }

  /** Sends the file to the gateway to be checked (it stores nothing), then asks each accepted context. */
  protected async check(): Promise<void> {
    const generation = ++this.generation;
    this.userChose = false;
    this.store.forgetPreviews();
    this.fileError.set(undefined);
    this.saveError.set(undefined);
    this.candidates.set([]);
    if (!this.text().trim()) {
      this.fileError.set('Paste a kubeconfig or choose its file first.');
      return;
    }
    this.checking.set(true);
    try {
      const { contexts } = await this.api.checkKubeconfig(this.text());
      if (generation !== this.generation) return;
      const names = [...this.taken()];
      this.candidates.set(
        contexts.map((check) => {
          const name = suggestUserClusterName(check.name, names);
          if (check.entry) names.push(name);
          return { check, selected: false, name, facts: check.entry ? { loading: true } : undefined };
        }),
      );
      for (const c of this.candidates()) if (c.check.entry) void this.probe(c.check, generation);
    } catch (err) {
      if (generation === this.generation) this.fileError.set(messageOf(err));
    } finally {
      if (generation === this.generation) this.checking.set(false);
    }
  }

  /** Asks the cluster, with the entry not yet stored, whether it answers and who the user is there. */
  private async probe(check: KubeconfigContextCheck, generation: number): Promise<void> {
    const facts = await loadClusterFacts(this.api, this.store.preview(check.entry as string));
    if (generation !== this.generation) return;
    // A context that answers is chosen unless the user already decided, for it or for the list:
    // once they have ticked, unticked or named any context, an answer arriving later changes no
    // tick (a box left unticked while it was being asked is not ticked under their cursor, and
    // "Add 1 cluster" does not turn into two as they click it).
    this.update(check.name, (c) => ({ ...c, facts, selected: c.decided || this.userChose ? c.selected : Boolean(facts.status?.reachable) }));
  }

  protected toggle(name: string, selected: boolean): void {
    this.userChose = true;
    this.update(name, (c) => ({ ...c, selected, decided: true }));
  }

  protected rename(context: string, name: string): void {
    this.userChose = true;
    this.update(context, (c) => ({ ...c, name }));
  }

  private update(context: string, change: (c: Candidate) => Candidate): void {
    this.candidates.update((all) => all.map((c) => (c.check.name === context ? change(c) : c)));
  }

  protected async add(): Promise<void> {
    if (!this.canAdd()) return;
    this.saving.set(true);
    this.saveError.set(undefined);
    try {
      const added = await this.store.add(
        this.chosen().map((c) => ({ name: c.name.trim(), context: c.check.name, server: c.check.server ?? '', namespace: c.check.namespace, entry: c.check.entry as string })),
      );
      this.store.forgetPreviews();
      this.added.emit(added.map((c) => c.name));
    } catch (err) {
      this.saveError.set(messageOf(err));
    } finally {
      this.saving.set(false);
    }
  }

  protected id(prefix: string, index: number): string {
    return `${prefix}-${index}`;
  }
}

/**
 * A server URL compared as the API server is reached: scheme, host (case-insensitive, trailing
 * dot dropped) and port (443 when https names none), without a trailing slash.
 */
export function serverKey(server: string): string {
  try {
    const url = new URL(server);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return `${url.protocol}//${url.hostname.toLowerCase().replace(/\.$/, '')}:${port}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return server.trim().toLowerCase();
  }
}
