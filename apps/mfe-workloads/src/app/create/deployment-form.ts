import { ChangeDetectionStrategy, Component, computed, effect, input, output, signal } from '@angular/core';
import { deploymentFromForm, dns1123LabelProblem, dns1123SubdomainProblem, envNameProblem, portProblem, quantityProblem } from '@cairn/kube-model';

/** What the form makes: the Deployment, and what is wrong with the form (field label → problem), empty when nothing. */
export interface DeploymentDraft {
  object: Record<string, unknown>;
  problems: string[];
}

type Row<T> = T & { id: number };
let nextRow = 1;

/**
 * A guided form for a new Deployment: name, image, replicas, container ports, environment
 * variables, CPU and memory requests and limits. Each field is checked as it is typed with the
 * API server's rules (kube-model's field rules: DNS-1123 names, ports 1-65535, resource.Quantity);
 * `draft` emits the Deployment it describes (kube-model's `deploymentFromForm`) and what is
 * still wrong, on every change.
 */
@Component({
  selector: 'cairn-deployment-form',
  template: `
    <form class="form" (submit)="$event.preventDefault()" aria-label="New Deployment">
      <div class="field">
        <label for="dep-name">Name</label>
        <input id="dep-name" [value]="name()" (input)="name.set(value($event))" spellcheck="false" autocomplete="off" [attr.aria-invalid]="!!nameProblem()" aria-describedby="dep-name-problem" />
        <span id="dep-name-problem" class="problem">{{ nameProblem() }}</span>
      </div>
      <div class="field">
        <label for="dep-image">Image</label>
        <input id="dep-image" [value]="image()" (input)="image.set(value($event))" spellcheck="false" autocomplete="off" placeholder="nginx:1.27" [attr.aria-invalid]="!!imageProblem()" aria-describedby="dep-image-problem" />
        <span id="dep-image-problem" class="problem">{{ imageProblem() }}</span>
      </div>
      <div class="field narrow">
        <label for="dep-replicas">Replicas</label>
        <input id="dep-replicas" type="number" min="0" step="1" inputmode="numeric" [value]="replicas()" (input)="replicas.set(value($event))" [attr.aria-invalid]="!!replicasProblem()" aria-describedby="dep-replicas-problem" />
        <span id="dep-replicas-problem" class="problem">{{ replicasProblem() }}</span>
      </div>

      <fieldset>
        <legend>Container ports</legend>
        @for (p of ports(); track p.id; let i = $index) {
          <div class="row">
            <label>Port <input type="number" min="1" max="65535" inputmode="numeric" [value]="p.port" (input)="setPort(p.id, { port: value($event) })" [attr.aria-label]="'Port ' + (i + 1)" /></label>
            <label>Name <input [value]="p.name" (input)="setPort(p.id, { name: value($event) })" spellcheck="false" [attr.aria-label]="'Port ' + (i + 1) + ' name'" placeholder="http" /></label>
            <button type="button" (click)="ports.set(without(ports(), p.id))" [attr.aria-label]="'Remove port ' + (i + 1)">Remove</button>
            <span class="problem">{{ portRowProblem(p) }}</span>
          </div>
        }
        <button type="button" (click)="ports.set([...ports(), { id: row(), port: '', name: '' }])">Add port</button>
      </fieldset>

      <fieldset>
        <legend>Environment variables</legend>
        @for (e of env(); track e.id; let i = $index) {
          <div class="row">
            <label>Name <input [value]="e.name" (input)="setEnv(e.id, { name: value($event) })" spellcheck="false" [attr.aria-label]="'Variable ' + (i + 1) + ' name'" /></label>
            <label>Value <input [value]="e.value" (input)="setEnv(e.id, { value: value($event) })" spellcheck="false" [attr.aria-label]="'Variable ' + (i + 1) + ' value'" /></label>
            <button type="button" (click)="env.set(without(env(), e.id))" [attr.aria-label]="'Remove variable ' + (i + 1)">Remove</button>
            <span class="problem">{{ envRowProblem(e) }}</span>
          </div>
        }
        <button type="button" (click)="env.set([...env(), { id: row(), name: '', value: '' }])">Add variable</button>
      </fieldset>

      <fieldset>
        <legend>Resources</legend>
        <div class="quantities">
          @for (q of quantityFields; track q.key) {
            <div class="field">
              <label [for]="'dep-' + q.key">{{ q.label }}</label>
              <input [id]="'dep-' + q.key" [value]="quantities()[q.key]" (input)="setQuantity(q.key, value($event))" spellcheck="false" [placeholder]="q.hint" [attr.aria-invalid]="!!quantityProblemOf(q.key)" />
              <span class="problem">{{ quantityProblemOf(q.key) }}</span>
            </div>
          }
        </div>
      </fieldset>
    </form>
  `,
  styles: `
    :host { display: block; }
    .form { display: grid; gap: 0.75rem; }
    .field { display: grid; gap: 0.2rem; max-width: 32rem; }
    .field.narrow { max-width: 10rem; }
    label { font-size: 0.875rem; font-weight: 600; }
    .row label { font-weight: 400; display: inline-flex; gap: 0.35rem; align-items: center; }
    input { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid var(--cairn-border); border-radius: 6px; background: var(--cairn-surface); color: var(--cairn-text); min-width: 0; }
    input[aria-invalid='true'] { border-color: var(--cairn-danger); }
    .row input { width: 9rem; }
    fieldset { border: 1px solid var(--cairn-border); border-radius: 6px; padding: 0.5rem 0.75rem 0.75rem; margin: 0; min-width: 0; }
    legend { font-size: 0.875rem; font-weight: 600; padding: 0 0.25rem; }
    .row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-bottom: 0.5rem; }
    .quantities { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.5rem 1rem; }
    .problem { color: var(--cairn-danger); font-size: 0.8125rem; min-height: 0; }
    .problem:empty { display: none; }
    .row .problem { flex-basis: 100%; }
    button { font: inherit; font-size: 0.875rem; padding: 0.3rem 0.75rem; border-radius: 6px; border: 1px solid var(--cairn-border); background: var(--cairn-surface); color: var(--cairn-text); cursor: pointer; }
    @media (max-width: 720px) { input, button { min-height: 44px; box-sizing: border-box; } .row input { width: 100%; } .row label { flex: 1 1 100%; } .row label input { flex: 1; } }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DeploymentForm {
  /** Where the Deployment will be created. */
  readonly namespace = input.required<string>();
  readonly draft = output<DeploymentDraft>();

  protected readonly name = signal('');
  protected readonly image = signal('');
  protected readonly replicas = signal('1');
  protected readonly ports = signal<Array<Row<{ port: string; name: string }>>>([]);
  protected readonly env = signal<Array<Row<{ name: string; value: string }>>>([]);
  protected readonly quantities = signal<Record<QuantityKey, string>>({ requestsCpu: '', requestsMemory: '', limitsCpu: '', limitsMemory: '' });
  protected readonly quantityFields: Array<{ key: QuantityKey; label: string; hint: string }> = [
    { key: 'requestsCpu', label: 'CPU request', hint: '100m' },
    { key: 'requestsMemory', label: 'Memory request', hint: '128Mi' },
    { key: 'limitsCpu', label: 'CPU limit', hint: '500m' },
    { key: 'limitsMemory', label: 'Memory limit', hint: '256Mi' },
  ];

  // The name is also the `app` label's value, which may be at most 63 characters (IsValidLabelValue).
  protected readonly nameProblem = computed(() => (this.name() ? (dns1123SubdomainProblem(this.name()) ?? (this.name().length > 63 ? 'must be at most 63 characters here: it is also the value of the app label' : undefined)) : undefined));
  protected readonly imageProblem = computed(() => (/\s/.test(this.image().trim()) ? 'must not contain spaces' : undefined));
  protected readonly replicasProblem = computed(() => (/^\d{1,6}$/.test(this.replicas().trim()) ? undefined : 'must be a whole number, 0 or more'));

  protected portRowProblem(p: { port: string; name: string }): string | undefined {
    const port = portProblem(Number(p.port.trim() || 'NaN'));
    if (port) return `Port ${port}`;
    // A port's name is an IANA service name: a DNS-1123 label of at most 15 characters (IsValidPortName).
    if (p.name && (dns1123LabelProblem(p.name) || p.name.length > 15)) return 'Name must be at most 15 lowercase letters, digits and "-" (an IANA service name)';
    return undefined;
  }

  protected envRowProblem(e: { name: string }): string | undefined {
    const problem = envNameProblem(e.name);
    return problem ? `Name ${problem}` : undefined;
  }

  protected quantityProblemOf(key: QuantityKey): string | undefined {
    const value = this.quantities()[key].trim();
    return value ? quantityProblem(value) : undefined;
  }

  /** Every problem of the form, for the create button: "Name: is required". */
  private readonly problems = computed(() => {
    const out: string[] = [];
    const add = (what: string, problem: string | undefined) => problem && out.push(`${what}: ${problem}`);
    add('Name', this.name() ? this.nameProblem() : 'is required');
    add('Image', this.image().trim() ? this.imageProblem() : 'is required');
    add('Replicas', this.replicasProblem());
    this.ports().forEach((p, i) => add(`Port ${i + 1}`, this.portRowProblem(p)));
    this.env().forEach((e, i) => add(`Variable ${i + 1}`, this.envRowProblem(e)));
    this.quantityFields.forEach((q) => add(q.label, this.quantityProblemOf(q.key)));
    return out;
  });

  constructor() {
    effect(() => {
      const q = this.quantities();
      const object = deploymentFromForm({
        name: this.name().trim(),
        namespace: this.namespace(),
        image: this.image().trim(),
        replicas: Number(this.replicas().trim()) || 0,
        ports: this.ports().map((p) => ({ containerPort: Number(p.port) || 0, ...(p.name ? { name: p.name } : {}) })),
        env: this.env().map((e) => ({ name: e.name, value: e.value })),
        requests: { cpu: q.requestsCpu, memory: q.requestsMemory },
        limits: { cpu: q.limitsCpu, memory: q.limitsMemory },
      });
      this.draft.emit({ object, problems: this.problems() });
    });
  }

  protected value(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected row(): number {
    return nextRow++;
  }

  protected without<T extends { id: number }>(rows: T[], id: number): T[] {
    return rows.filter((r) => r.id !== id);
  }

  protected setPort(id: number, change: Partial<{ port: string; name: string }>): void {
    this.ports.set(this.ports().map((p) => (p.id === id ? { ...p, ...change } : p)));
  }

  protected setEnv(id: number, change: Partial<{ name: string; value: string }>): void {
    this.env.set(this.env().map((e) => (e.id === id ? { ...e, ...change } : e)));
  }

  protected setQuantity(key: QuantityKey, value: string): void {
    this.quantities.set({ ...this.quantities(), [key]: value });
  }
}

type QuantityKey = 'requestsCpu' | 'requestsMemory' | 'limitsCpu' | 'limitsMemory';
