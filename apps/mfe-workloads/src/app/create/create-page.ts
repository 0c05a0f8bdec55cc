import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { ApiClient, ConsoleContext, KubeObject } from '@cairn/data-access';
import { builtInTemplate, CreateTemplate, templateFromSchema } from '@cairn/kube-model';
import { NoCluster, Notice } from '@cairn/ui-kit';
import { toYaml, YamlCreate } from '@cairn/ui-kit-yaml';
import { KindResolver, kindFromRoute } from '../kind-resolver';
import { builtInKind, WorkloadKind } from '../workload-kinds';
import { DeploymentDraft, DeploymentForm } from './deployment-form';

/**
 * `/workloads/create/:group/:version/:resource`: a new object of any kind the cluster serves. It
 * starts from a template (kube-model: Cairn's minimal one for common built-in kinds, else one
 * generated from the OpenAPI schema the cluster publishes, else apiVersion/kind/metadata only,
 * said so), in the checked editor for new objects (dry run first, then create; a taken name is
 * never overwritten). A Deployment may be described in a guided form instead, whose YAML shows
 * live and can be carried over to the editor. Once created, the new object's page opens.
 */
@Component({
  selector: 'cairn-create-page',
  imports: [RouterLink, NoCluster, Notice, YamlCreate, DeploymentForm],
  template: `
    @if (!context.cluster()) {
      <cairn-no-cluster purpose="to create objects in it" />
    } @else if (kind(); as k) {
      <nav class="back"><a [routerLink]="k.path" queryParamsHandling="preserve">← {{ k.label }}</a></nav>
      <h2>New {{ k.singular }}{{ namespace() ? ' in ' + namespace() : ' (cluster-wide)' }}</h2>
      @if (guided()) {
        <div class="modes" role="group" aria-label="How to describe it">
          <button type="button" [attr.aria-pressed]="mode() === 'form'" (click)="mode.set('form')" [disabled]="mode() === 'yaml'">Guided form</button>
          <button type="button" [attr.aria-pressed]="mode() === 'yaml'" (click)="toYamlMode()">Edit as YAML</button>
        </div>
      }
      @if (guided() && mode() === 'form') {
        <div class="split">
          <cairn-deployment-form [namespace]="namespace() ?? 'default'" (draft)="formDraft($event)" />
          <section class="preview" aria-label="The YAML it will create">
            <h3>The YAML it will create</h3>
            <cairn-yaml-create [text]="formYaml()" [locked]="true" [blocked]="formBlocked()" [label]="'New ' + k.singular + ' as YAML'"
              [dryRun]="dryRun" [create]="create" (created)="open($event)" (openExisting)="open($event)" />
          </section>
        </div>
      } @else if (carried() ?? template(); as t) {
        @if (t.note) { <cairn-notice [tone]="t.source === 'none' ? 'warn' : 'info'">{{ t.note }}</cairn-notice> }
        <cairn-yaml-create [text]="t.yaml" [label]="'New ' + k.singular + ' as YAML'" [dryRun]="dryRun" [create]="create" (created)="open($event)" (openExisting)="open($event)" />
      } @else {
        <p class="muted" role="status">Preparing a template…</p>
      }
    }
  `,
  styles: `
    :host { display: block; }
    .back { margin-bottom: 0.5rem; font-size: 0.875rem; }
    h2 { font-size: 1.25rem; margin: 0 0 0.75rem; word-break: break-word; }
    h3 { font-size: 1rem; margin: 0 0 0.5rem; }
    .muted { color: var(--cairn-muted); }
    .modes { display: flex; gap: 0.5rem; margin-bottom: 0.75rem; }
    .modes button { font: inherit; font-size: 0.875rem; padding: 0.3rem 0.75rem; border-radius: 6px; border: 1px solid var(--cairn-border); background: var(--cairn-surface); color: var(--cairn-text); cursor: pointer; }
    .modes button[aria-pressed='true'] { background: var(--cairn-selected); color: var(--cairn-selected-text); border-color: var(--cairn-selected-text); }
    .split { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.5rem; align-items: start; }
    @media (max-width: 960px) { .split { grid-template-columns: minmax(0, 1fr); } }
    @media (max-width: 720px) { .modes button { min-height: 44px; flex: 1; } }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CreatePage {
  readonly group = input<string>();
  readonly version = input<string>();
  readonly resource = input<string>();
  private readonly api = inject(ApiClient);
  private readonly router = inject(Router);
  private readonly resolver = inject(KindResolver);
  protected readonly context = inject(ConsoleContext);
  /** The kind as discovery has it (its real name and scope), with the console's own descriptor's path for built-in kinds. */
  private readonly routeKind = kindFromRoute({ kind: signal(undefined), group: this.group, version: this.version, resource: this.resource });
  protected readonly kind = computed<WorkloadKind | undefined>(() => {
    const kind = this.routeKind();
    const builtIn = kind && builtInKind(kind.group, kind.resource);
    return kind && builtIn ? { ...kind, path: builtIn.path, label: builtIn.label } : kind;
  });
  /** Where the object goes: the chosen namespace (default when all are shown); none for cluster-scoped kinds. */
  protected readonly namespace = computed(() => (this.kind()?.namespaced === false ? undefined : (this.context.namespace() ?? 'default')));
  protected readonly guided = computed(() => this.kind()?.group === 'apps' && this.kind()?.resource === 'deployments' && this.kind()?.version === 'v1');
  protected readonly mode = signal<'form' | 'yaml'>('form');
  protected readonly template = signal<(CreateTemplate & { yaml: string }) | undefined>(undefined);
  protected readonly formYaml = signal('');
  /** The form's YAML once carried over to the editor (the form cannot read YAML edits back, so there is no way back). */
  protected readonly carried = signal<(CreateTemplate & { yaml: string }) | undefined>(undefined);
  protected readonly formBlocked = signal<string | undefined>(undefined);

  constructor() {
    effect(() => {
      const [cluster, kind, namespace] = [this.context.cluster(), this.kind(), this.namespace()];
      untracked(() => {
        this.template.set(undefined);
        if (cluster && kind) void this.prepare(cluster, kind, namespace);
      });
    });
  }

  /** The template: the built-in one, else from the cluster's schema (none published, or unreadable: apiVersion/kind/metadata, said so). */
  private async prepare(cluster: string, kind: WorkloadKind, namespace: string | undefined): Promise<void> {
    // The kind's real name comes from discovery: wait for it rather than template a resource name.
    const served = (await this.resolver.resources(cluster).catch(() => [])).find((r) => r.group === kind.group && r.version === kind.version && r.resource === kind.resource);
    const templateKind = { group: kind.group, version: kind.version, kind: served?.kind ?? kind.singular, namespaced: served?.namespaced ?? kind.namespaced !== false };
    let template = builtInTemplate(templateKind, namespace);
    if (!template) {
      const document = await this.api.openApi(cluster, kind.group, kind.version).catch(() => undefined);
      template = templateFromSchema(document, templateKind, namespace);
    }
    const yaml = await toYaml(template.object);
    if (this.context.cluster() === cluster && this.kind() === kind && this.namespace() === namespace) this.template.set({ ...template, yaml });
  }

  protected async formDraft(draft: DeploymentDraft): Promise<void> {
    this.formBlocked.set(draft.problems.length ? `Fix the form first: ${draft.problems.join('; ')}.` : undefined);
    this.formYaml.set(await toYaml(draft.object));
  }

  /** Carries the form's YAML over to the editor. */
  protected toYamlMode(): void {
    if (this.mode() === 'form') this.carried.set({ object: {}, yaml: this.formYaml(), source: 'built-in', note: 'The guided form\'s Deployment, carried over: edit it as YAML.' });
    this.mode.set('yaml');
  }

  private readonly send = (object: KubeObject, dryRun: boolean): Promise<KubeObject> => {
    const [cluster, kind] = [this.context.cluster(), this.kind()];
    if (!cluster || !kind) return Promise.reject(new Error('Choose a cluster first.'));
    const namespace = kind.namespaced === false ? undefined : (object.metadata.namespace ?? this.namespace());
    return this.api.create(cluster, kind, object, { namespace, dryRun });
  };
  protected readonly dryRun = (object: KubeObject) => this.send(object, true);
  protected readonly create = (object: KubeObject) => this.send(object, false);

  /** The object's page: the new one once created, or the existing one that has the draft's name. */
  protected open(object: KubeObject): void {
    const kind = this.kind();
    if (!kind) return;
    const namespace = kind.namespaced === false ? '_' : (object.metadata.namespace ?? this.namespace() ?? '_');
    void this.router.navigate([...kind.path, namespace, object.metadata.name], { queryParamsHandling: 'preserve' });
  }
}
