import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ContainerDetails, terminationText } from '@cairn/kube-model';
import { TimeAgo } from '@cairn/ui-kit';
import { sourceLink } from './links';

/**
 * One card per container of a pod or pod template: image, state and last termination (reason,
 * exit code, message, when), ports, requests and limits, probes, environment (ConfigMap and
 * Secret references as links), mounts with their volume, and for a pod its Logs and Previous
 * logs. Cards, not a wide table, so the facts that matter stay on a phone's screen.
 */
@Component({
  selector: 'cairn-container-cards',
  imports: [RouterLink, TimeAgo],
  template: `
    @for (c of containers(); track c.name) {
      <article class="card" [attr.aria-label]="'Container ' + c.name">
        <header>
          <h4>{{ c.name }}</h4>
          @if (c.role !== 'app') { <span class="role">{{ roleText[c.role] }}</span> }
          @if (pod()) {
            <span class="state" [class.bad]="c.role === 'ephemeral' ? c.state !== 'Running' : !c.ready && c.role !== 'init'">{{ c.state || 'not started' }}@if (c.since) { · <cairn-age [since]="c.since" /> }</span>
          }
        </header>
        <dl>
          <dt>Image</dt><dd><code>{{ c.image }}</code></dd>
          @if (pod()) {
            <dt>Ready</dt><dd>{{ c.ready ? 'yes' : 'no' }} · {{ c.restarts }} restart{{ c.restarts === 1 ? '' : 's' }}</dd>
            @if (c.stateMessage) { <dt>Message</dt><dd class="message">{{ c.stateMessage }}</dd> }
            @if (c.lastTermination; as last) {
              <dt>Last termination</dt>
              <dd><strong>{{ terminationText(last) }}</strong>@if (last.finishedAt) { · <cairn-age [since]="last.finishedAt" /> ago <span class="muted">({{ last.finishedAt }})</span> }
                @if (last.message) { <div class="message">{{ last.message }}</div> }</dd>
            }
          }
          @if (c.command.length || c.args.length) { <dt>Command</dt><dd><code>{{ c.command.concat(c.args).join(' ') }}</code></dd> }
          @if (c.ports.length) { <dt>Ports</dt><dd>{{ c.ports.join(', ') }}</dd> }
          @if (quantities(c).length) {
            <dt>Resources</dt>
            <dd>@for (q of quantities(c); track q.name) { <span class="q">{{ q.name }} {{ q.request || '—' }} / {{ q.limit || 'no limit' }}</span> }
              <span class="muted">(request / limit)</span></dd>
          }
          @for (p of c.probes; track p.kind) { <dt>{{ p.kind }}</dt><dd><code>{{ p.text }}</code></dd> }
          @if (c.env.length || c.envFrom.length) {
            <dt>Environment</dt>
            <dd><ul class="plain">
              @for (e of c.env; track e.name) {
                <li><code>{{ e.name }}</code>:
                  @if (e.source; as s) { <a [routerLink]="link(s)" queryParamsHandling="preserve">{{ e.from }}</a>@if (e.optional) { <span class="muted"> (optional)</span> } }
                  @else if (e.from !== undefined) { {{ e.from }} } @else { <code>{{ e.value }}</code> }</li>
              }
              @for (f of c.envFrom; track f.source.name) {
                <li>every key of {{ f.source.kind }} <a [routerLink]="link(f.source)" queryParamsHandling="preserve">{{ f.source.name }}</a>@if (f.prefix) { , prefixed <code>{{ f.prefix }}</code> }</li>
              }
            </ul></dd>
          }
          @if (c.mounts.length) {
            <dt>Mounts</dt>
            <dd><ul class="plain">
              @for (m of c.mounts; track m.mountPath) {
                <li><code>{{ m.mountPath }}</code> from {{ m.volume }} ({{ m.readOnly ? 'ro' : 'rw' }}@if (m.subPath) {, path "{{ m.subPath }}"}):
                  @if (m.source; as s) { <a [routerLink]="link(s)" queryParamsHandling="preserve">{{ m.volumeText }}</a> } @else { {{ m.volumeText }} }</li>
              }
            </ul></dd>
          }
        </dl>
        @if (pod(); as podName) {
          <footer>
            <a class="button" routerLink="/logs" [queryParams]="{ namespace: namespace(), pod: podName, container: c.name, previous: null }" queryParamsHandling="merge">Logs</a>
            @if (c.restarts > 0 || c.lastTermination) {
              <a class="button" routerLink="/logs" [queryParams]="{ namespace: namespace(), pod: podName, container: c.name, previous: 'true' }" queryParamsHandling="merge">Previous logs</a>
            }
          </footer>
        }
      </article>
    }
  `,
  styles: `
    :host { display: grid; gap: 0.75rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 26rem), 1fr)); }
    .card { border: 1px solid var(--cairn-border); border-radius: 8px; background: var(--cairn-surface); padding: 0.625rem 0.75rem; min-width: 0; }
    header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.5rem; margin-bottom: 0.375rem; }
    h4 { margin: 0; font-size: 0.95rem; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
    .role { font-size: 0.75rem; border: 1px solid var(--cairn-border); border-radius: 999px; padding: 0 0.4rem; color: var(--cairn-muted); }
    .state { font-size: 0.875rem; }
    .state.bad { color: var(--cairn-danger); font-weight: 600; }
    dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.25rem 0.75rem; margin: 0; font-size: 0.875rem; }
    dt { color: var(--cairn-muted); }
    dd { margin: 0; overflow-wrap: anywhere; }
    .message { white-space: pre-wrap; }
    .plain { list-style: none; margin: 0; padding: 0; }
    .q { margin-right: 0.75rem; }
    .muted { color: var(--cairn-muted); }
    footer { display: flex; gap: 0.5rem; margin-top: 0.5rem; }
    .button { display: inline-flex; align-items: center; min-height: 2rem; font-size: 0.875rem; padding: 0 0.75rem; border-radius: 6px; border: 1px solid var(--cairn-border); color: var(--cairn-text); text-decoration: none; }
    @media (max-width: 720px) {
      dl { grid-template-columns: minmax(0, 1fr); }
      dt { margin-top: 0.25rem; }
      .button { min-height: 44px; }
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ContainerCards {
  readonly containers = input.required<ContainerDetails[]>();
  readonly namespace = input.required<string>();
  /** The pod's name, when these are a pod's containers (not a template's): adds state and logs. */
  readonly pod = input<string>();
  protected readonly terminationText = terminationText;
  protected readonly roleText: Record<ContainerDetails['role'], string> = { init: 'init', sidecar: 'sidecar', ephemeral: 'debug', app: '' };

  protected link(source: Parameters<typeof sourceLink>[0]): string[] {
    return sourceLink(source, this.namespace());
  }

  /** Each resource named in requests or limits, with both. */
  protected quantities(c: ContainerDetails): { name: string; request?: string; limit?: string }[] {
    return [...new Set([...Object.keys(c.requests), ...Object.keys(c.limits)])].map((name) => ({ name, request: c.requests[name], limit: c.limits[name] }));
  }
}
