import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AccessExplainer, AccessExplanation, ConsoleContext } from '@cairn/data-access';
import { parseForbidden, RefusedRequest, verbsOn } from '@cairn/kube-model';

/** What the view asked, for a refusal whose message the API server did not word (a webhook, a proxy). */
export interface AskedRequest {
  verb: string;
  /** `""` or `core`: the core group. */
  group?: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

/**
 * "Why can't I": under any 403 the console shows, who the cluster thinks you are (user,
 * groups: its SelfSubjectReview), what exactly was refused (verb, group/resource/subresource,
 * namespace: read from the API server's message, else what the view asked), what you may do
 * there instead (its SelfSubjectRulesReview, summarised as `kubectl auth can-i --list`
 * prints it) and the administrator's line on whom to ask (CAIRN_ACCESS_HELP). Used by
 * ForbiddenState and by every notice of a refused action, so a refusal reads the same everywhere.
 */
@Component({
  selector: 'cairn-why-cant-i',
  imports: [RouterLink],
  template: `
    <dl class="why">
      @if (refused(); as r) {
        <div>
          <dt>Refused</dt>
          <dd>
            <code class="verb">{{ r.verb }}</code> on <code class="resource">{{ resourceText() }}</code><span class="muted"> ({{ r.group ? 'API group ' + r.group : 'core API group' }})</span>
            {{ r.namespace ? 'in namespace ' : 'across the cluster' }}@if (r.namespace) {<code>{{ r.namespace }}</code>}@if (r.name) { (object <code>{{ r.name }}</code>)}
          </dd>
        </div>
      }
      @if (canAsk) {
      <div>
        <dt>You are</dt>
        <dd class="who">
          @if (explanation()?.whoami; as me) {
            <code>{{ me.username }}</code>
          } @else if (explanation()) {
            <span class="muted">the cluster would not say</span>
          } @else {
            <span class="muted">asking the cluster…</span>
          }
        </dd>
      </div>
      }
      @if (explanation()?.whoami; as me) {
        <div>
          <dt>Your groups</dt>
          <dd class="groups">
            @for (g of me.groups; track g) { <code>{{ g }}</code>@if (!$last) {<span class="sep">, </span>} } @empty { <span class="muted">none</span> }
          </dd>
        </div>
      }
      @if (refused() && explanation()?.rules) {
        <div>
          <dt>On {{ resourceText() }} you may</dt>
          <dd class="left">
            @for (v of verbsLeft(); track v) { <code>{{ v === '*' ? 'everything' : v }}</code>@if (!$last) {<span class="sep">, </span>} } @empty { nothing{{ refused()?.namespace ? ' in ' + refused()?.namespace : '' }} }
          </dd>
        </div>
      }
    </dl>
    @if (explanation()?.accessHelp; as help) {
      <p class="help">
        <span class="help-label">Whom to ask: </span>
        @if (help.link) { <a [href]="help.link" target="_blank" rel="noopener noreferrer">{{ help.text }}</a> } @else { {{ help.text }} }
      </p>
    }
    @if (explanation()?.rules; as rules) {
      <details class="can" [open]="expanded()">
        <summary>What you may do {{ where() }} ({{ rules.length }} {{ rules.length === 1 ? 'rule' : 'rules' }})</summary>
        @if (explanation()?.incomplete) {
          <p class="incomplete">The cluster could not list all of your rules{{ explanation()?.evaluationError ? ' (' + explanation()?.evaluationError + ')' : '' }}: you may be allowed more than this.</p>
        }
        <table>
          <thead><tr><th scope="col">Resource</th><th scope="col">Verbs</th></tr></thead>
          <tbody>
            @for (line of rules; track $index) {
              <tr>
                <td><code>{{ line.resource }}</code>@if (line.resourceNames.length) { <span class="muted">only {{ line.resourceNames.join(', ') }}</span> }</td>
                <td>{{ line.verbs.join(', ') }}</td>
              </tr>
            }
          </tbody>
        </table>
      </details>
    }
    @if (clusterName(); as c) {
      <p class="all"><a [routerLink]="['/clusters', c, 'permissions']" [queryParams]="{ cluster: c, namespace: explanation()?.namespace ?? null }">My permissions on this cluster</a></p>
    }
    @for (p of explanation()?.problems ?? []; track p) { <p class="muted problem">Could not ask {{ p }}</p> }
  `,
  styles: `
    :host { display: block; text-align: left; max-width: 44rem; margin: 0.75rem auto 0; color: var(--cairn-text); }
    .why { display: grid; gap: 0.25rem; margin: 0; }
    .why > div { display: grid; grid-template-columns: minmax(7rem, max-content) 1fr; gap: 0.5rem; align-items: baseline; }
    dt { font-weight: 600; }
    dd { margin: 0; overflow-wrap: anywhere; }
    code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.8125rem; background: var(--cairn-hover); border-radius: 4px; padding: 0 0.25rem; }
    .groups code, .left code { display: inline-block; margin-bottom: 0.125rem; }
    .help, .all { margin: 0.5rem 0 0; }
    .help-label { font-weight: 600; margin-right: 0.25rem; }
    .can { margin-top: 0.5rem; }
    .can summary { cursor: pointer; }
    .can table { border-collapse: collapse; margin-top: 0.25rem; width: 100%; font-size: 0.875rem; }
    .can th, .can td { text-align: left; padding: 0.125rem 0.5rem 0.125rem 0; border-bottom: 1px solid var(--cairn-border); vertical-align: top; overflow-wrap: anywhere; }
    .incomplete { color: var(--cairn-text); font-style: italic; }
    .muted { color: var(--cairn-muted, inherit); }
    @media (max-width: 480px) { .why > div { grid-template-columns: 1fr; gap: 0; } }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WhyCantI {
  private readonly explainer = inject(AccessExplainer, { optional: true });
  private readonly context = inject(ConsoleContext, { optional: true });

  /** The cluster's name in the console (default: the current cluster). */
  readonly cluster = input<string>();
  /** The refusal's message, as the gateway passed it on from the API server. */
  readonly reason = input<string>();
  /** What the view asked, used when the message does not say. */
  readonly asked = input<AskedRequest>();
  /** Open the list of what the person may do. */
  readonly expanded = input(false);

  protected readonly explanation = signal<AccessExplanation | undefined>(undefined);
  /** Whether this page can ask the cluster (a remote's own tests may run without the console's services). */
  protected readonly canAsk = this.explainer !== null;

  protected readonly refused = computed<RefusedRequest | undefined>(() => {
    const parsed = parseForbidden(this.reason());
    if (parsed) return parsed;
    const asked = this.asked();
    return asked && { user: '', verb: asked.verb, group: asked.group === 'core' ? '' : (asked.group ?? ''), resource: asked.resource, ...(asked.subresource ? { subresource: asked.subresource } : {}), ...(asked.namespace ? { namespace: asked.namespace } : {}) };
  });

  protected readonly resourceText = computed(() => {
    const r = this.refused();
    return r ? `${r.resource}${r.subresource ? `/${r.subresource}` : ''}` : '';
  });

  protected readonly clusterName = computed(() => this.cluster() ?? this.context?.cluster());

  protected readonly where = computed(() => {
    const ns = this.explanation()?.namespace;
    return this.refused()?.namespace ? `in ${ns}` : `in namespace ${ns} (the rules of your ClusterRoleBindings show in every namespace)`;
  });

  protected readonly verbsLeft = computed(() => {
    const r = this.refused();
    const rules = this.explanation()?.rules;
    return r && rules ? verbsOn(rules, r) : [];
  });

  constructor() {
    effect((onCleanup) => {
      const cluster = this.clusterName();
      const namespace = this.refused()?.namespace;
      if (!cluster || !this.explainer) return;
      let live = true;
      onCleanup(() => (live = false));
      void this.explainer.explain(cluster, namespace).then((e) => live && this.explanation.set(e));
    });
  }
}
