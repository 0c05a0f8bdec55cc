import { ChangeDetectionStrategy, Component, computed, effect, inject, input, output, signal, untracked } from '@angular/core';
import { ConsoleContext } from '@cairn/data-access';

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether `name` can be a namespace's name (an RFC 1123 label: lower-case letters, digits and dashes, at most 63). */
export function isNamespaceName(name: string): boolean {
  return NAMESPACE.test(name) && name.length <= 63;
}

/** Namespace names typed as a list: commas, spaces or new lines between them. */
export function parseNamespaces(text: string): { namespaces: string[]; invalid: string[] } {
  const words = text
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter(Boolean);
  const invalid = words.filter((w) => !isNamespaceName(w));
  return { namespaces: [...new Set(words.filter((w) => !invalid.includes(w)))].sort(), invalid };
}

/**
 * A cluster's settings in this browser, kept by the console context: the namespace the console
 * opens in when the cluster is chosen, and the namespaces the user works in, which stand in
 * for the list of namespaces where the user may not list them (a tenant).
 */
@Component({
  selector: 'cairn-cluster-settings',
  template: `
    <form (submit)="$event.preventDefault(); save()" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings for {{ label() }} <span class="muted">(this browser)</span></h2>
      <div class="field">
        <label for="default-namespace">Default namespace</label>
        <input id="default-namespace" list="settings-namespaces" [value]="defaultNamespace()" (input)="defaultNamespace.set($any($event.target).value)"
          placeholder="All namespaces" autocomplete="off" spellcheck="false" aria-describedby="default-namespace-hint"
          [attr.aria-invalid]="defaultProblem() ? 'true' : null" />
        <datalist id="settings-namespaces">
          @for (ns of known(); track ns) {
            <option [value]="ns"></option>
          }
        </datalist>
        <span id="default-namespace-hint" class="hint">Where the console opens when you choose this cluster; empty for all namespaces.</span>
        @if (defaultProblem(); as p) {
          <span class="field-error" role="alert">{{ p }}</span>
        }
      </div>
      <div class="field">
        <label for="allowed-namespaces">Your namespaces</label>
        <input id="allowed-namespaces" [value]="allowedText()" (input)="allowedText.set($any($event.target).value)" placeholder="e.g. tenant-1, tenant-2"
          autocomplete="off" spellcheck="false" aria-describedby="allowed-namespaces-hint" [attr.aria-invalid]="allowedProblem() ? 'true' : null" />
        <span id="allowed-namespaces-hint" class="hint">The namespaces you work in, separated by commas or spaces. Where you may not list namespaces, the console offers these instead.</span>
        @if (allowedProblem(); as p) {
          <span class="field-error" role="alert">{{ p }}</span>
        }
      </div>
      <div class="buttons">
        <button type="submit" [disabled]="Boolean(defaultProblem() || allowedProblem())">Save settings</button>
        <span class="saved" role="status">{{ saved() }}</span>
      </div>
    </form>
  `,
  styles: `
    :host { display: block; }
    form { border: 1px solid var(--cairn-border); border-radius: 6px; background: var(--cairn-surface); padding: 0.75rem 1rem; max-width: 48rem; }
    h2 { font-size: 1.05rem; margin: 0 0 0.5rem; }
    .field { display: grid; gap: 0.25rem; margin-bottom: 0.75rem; }
    label { font-weight: 600; font-size: 0.875rem; }
    input { font: inherit; font-size: 0.875rem; padding: 0.3rem 0.5rem; border: 1px solid var(--cairn-border); border-radius: 4px; background: var(--cairn-bg); color: var(--cairn-text); max-width: 28rem; }
    .hint, .muted { color: var(--cairn-muted); font-size: 0.8125rem; font-weight: normal; }
    .field-error { color: var(--cairn-danger); font-size: 0.8125rem; }
    .buttons { display: flex; gap: 0.75rem; align-items: center; }
    button { font: inherit; font-size: 0.875rem; padding: 0.3rem 0.75rem; border-radius: 6px; border: 1px solid var(--cairn-accent); background: var(--cairn-accent); color: var(--cairn-bg); cursor: pointer; }
    button:disabled { opacity: 0.6; cursor: default; }
    .saved { color: var(--cairn-muted); font-size: 0.875rem; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClusterSettings {
  private readonly context = inject(ConsoleContext);
  readonly cluster = input.required<string>();
  readonly label = input.required<string>();
  /** Namespaces the cluster listed, offered for the default. */
  readonly known = input<string[]>([]);
  /** The namespaces the user works in, after a save. */
  readonly allowedChange = output<string[]>();

  protected readonly defaultNamespace = signal('');
  protected readonly allowedText = signal('');
  protected readonly saved = signal('');
  protected readonly Boolean = Boolean;

  protected readonly defaultProblem = computed(() => {
    const ns = this.defaultNamespace().trim();
    return ns && parseNamespaces(ns).invalid.length ? `"${ns}" is not a namespace name (lower-case letters, digits and "-").` : undefined;
  });
  protected readonly allowedProblem = computed(() => {
    const { invalid } = parseNamespaces(this.allowedText());
    return invalid.length ? `${invalid.map((w) => `"${w}"`).join(', ')} ${invalid.length === 1 ? 'is not a namespace name' : 'are not namespace names'} (lower-case letters, digits and "-").` : undefined;
  });

  constructor() {
    // The namespace the console is in on this cluster is its default (the context remembers it per cluster).
    effect(() => {
      const current = this.context.cluster() === this.cluster() ? this.context.namespace() : undefined;
      untracked(() => this.defaultNamespace.set(current ?? ''));
    });
    effect(() => {
      const cluster = this.cluster();
      untracked(() => {
        this.allowedText.set(this.context.typedNamespaces(cluster).join(', '));
        this.saved.set('');
      });
    });
  }

  protected save(): void {
    if (this.defaultProblem() || this.allowedProblem()) return;
    const cluster = this.cluster();
    const { namespaces } = parseNamespaces(this.allowedText());
    this.context.setAllowedNamespaces(cluster, namespaces);
    // The context keeps the default per cluster as the namespace last chosen there.
    if (this.context.cluster() !== cluster) this.context.selectCluster(cluster);
    this.context.selectNamespace(this.defaultNamespace().trim() || undefined);
    this.allowedText.set(namespaces.join(', '));
    this.saved.set(`Saved at ${new Date().toLocaleTimeString()}.`);
    this.allowedChange.emit(namespaces);
  }
}
