import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { ApiClient, ApiError, ConsoleContext, KubeObject, LiveList, Permissions, WatchStream, POLL_MS } from '@cairn/data-access';
import { Confirmation, EmptyState, ForbiddenState, Notice, StatusBadge, TimeAgo } from '@cairn/ui-kit';
import { WhyCantI } from '@cairn/ui-kit-access';
import { YamlEditor } from '@cairn/ui-kit-yaml';
import { type AccessCheck, MANIFEST_YAML_OPTIONS } from '@cairn/api-contracts';
import { stringify } from 'yaml';
import { KindResolver, kindFromRoute, ownerChain, OwnerLink } from '../kind-resolver';
import { asArray, asObject, asString, byLastSeen, MAP_KINDS, ROLLOUT_KINDS, RolloutKind, eventCount, eventLastSeen, podColumns, podStatus, restartsText, text } from '@cairn/kube-model';
import { podSelector, WorkloadKind } from '../workload-kinds';
import { ObjectFacts } from './sections/object-facts';
import { NodeMaintenance } from '../node-maintenance/node-maintenance';
import { PodTerminal } from './pod-terminal/pod-terminal';
import { Rollouts } from './rollouts/rollouts';
import { PodDebug } from './pod-debug/pod-debug';
import { ResourceUsage } from './sections/resource-usage';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the user may do here, from one batch of access reviews. */
interface Allowed {
  scale: boolean;
  restart: boolean;
  suspend: boolean;
  trigger: boolean;
  remove: boolean;
  edit: boolean;
  /** A terminal in the pod's containers (`create pods/exec`). */
  exec: boolean;
  /** Attaching to a pod's container (`create pods/attach`). */
  attach: boolean;
  /** Adding an ephemeral debug container (`patch pods/ephemeralcontainers`). */
  debug: boolean;
  /** A copy of the pod to debug (`create pods`). */
  copy: boolean;
}

const NONE: Allowed = { scale: false, restart: false, suspend: false, trigger: false, remove: false, edit: false, exec: false, attach: false, debug: false, copy: false };

/**
 * `/workloads/:kind/:namespace/:name`: one object, live — status, conditions, its pods and
 * containers, events, labels, owners and YAML — with the actions the user's RBAC allows.
 */
@Component({
  selector: 'cairn-workload-detail',
  imports: [RouterLink, StatusBadge, TimeAgo, Notice, EmptyState, ForbiddenState, WhyCantI, YamlEditor, ObjectFacts, NodeMaintenance, PodTerminal, Rollouts, PodDebug, ResourceUsage],
  templateUrl: './workload-detail.html',
  styleUrl: './workload-detail.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WorkloadDetail {
  protected readonly pollSeconds = POLL_MS / 1000;
  readonly kind = input<string>();
  readonly group = input<string>();
  readonly version = input<string>();
  readonly resource = input<string>();
  readonly namespace = input.required<string>();
  readonly name = input.required<string>();
  /** The view, from the address (`?tab=yaml`), so a link can open the YAML directly. */
  readonly tab = input<string>();
  /** `?view=exec&container=…`: a link straight to a pod's terminal on that container. */
  readonly view = input<string>();
  readonly container = input<string>();
  /** `?view=exec&shell=attach`: the terminal starts attached (to a debug container just started). */
  readonly shell = input<string>();
  /** `?view=debug&debugging=…`: the debug container to wait for, then attach to. */
  readonly debugging = input<string>();
  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream);
  private readonly permissions = inject(Permissions);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly confirmation = inject(Confirmation);
  protected readonly context = inject(ConsoleContext);

  protected readonly workloadKind = kindFromRoute(this, true);
  protected readonly unknownKind = computed(() => `"${this.kind()}" is not a workload kind`);
  protected readonly live = signal<LiveList | undefined>(undefined);
  protected readonly pods = signal<LiveList | undefined>(undefined);
  protected readonly object = computed(() => this.live()?.items()[0]);
  protected readonly status = computed(() => {
    const o = this.object();
    const kind = this.workloadKind();
    return o && kind ? kind.status(o) : undefined;
  });
  /** The administrator made the whole console read-only (`CAIRN_READ_ONLY`): why nothing is offered, whatever the role. */
  protected readonly consoleReadOnly = signal(false);
  protected readonly allowed = signal<Allowed>(NONE);
  /** Events about this object, matched by its uid (never by name alone: a Service and a Deployment may share one), live. */
  private readonly eventList = signal<LiveList | undefined>(undefined);
  /** For a workload: its namespace's pod events, of which those about its own pods are shown too (a crash loop's BackOff on its Deployment). */
  private readonly podEventList = signal<LiveList | undefined>(undefined);
  protected readonly events = computed(() => {
    const podUids = new Set((this.pods()?.items() ?? []).map((p) => p.metadata.uid).filter(Boolean));
    const ofPods = (this.podEventList()?.items() ?? []).filter((e) => podUids.has(asString(asObject(e['involvedObject'])['uid'])));
    return [...(this.eventList()?.items() ?? []), ...ofPods].sort(byLastSeen);
  });
  protected readonly eventsError = computed(() => this.eventList()?.error() ?? this.podEventList()?.error());
  /** A Deployment, StatefulSet or DaemonSet: it has revisions and rollouts. */
  protected readonly hasRollouts = computed(() => this.workloadKind()?.group === 'apps' && ROLLOUT_KINDS.includes(this.workloadKind()?.resource as RolloutKind));
  protected readonly isPod = computed(() => this.workloadKind()?.group === 'core' && this.workloadKind()?.resource === 'pods');
  /** Debugging is offered when a debug container may be added or a copy made, and attached to (`create pods/attach`). */
  protected readonly canDebug = computed(() => this.isPod() && this.allowed().attach && (this.allowed().debug || this.allowed().copy));
  protected readonly shownView = computed<'overview' | 'yaml' | 'exec' | 'debug'>(() =>
    this.view() === 'exec' && this.isPod() && this.allowed().exec ? 'exec' : this.view() === 'debug' && this.canDebug() ? 'debug' : this.tab() === 'yaml' ? 'yaml' : 'overview',
  );
  private readonly podContainers = computed(() =>
    ['containers', 'ephemeralContainers'].flatMap((list) => asArray(asObject(this.object()?.['spec'])[list]).map(asObject)).filter((c) => Boolean(asString(c['name']))),
  );
  /** The pod's containers and debug (ephemeral) containers, for the terminal's choice. */
  protected readonly containerNames = computed(() => this.podContainers().map((c) => asString(c['name']) as string));
  /** Those whose spec asks for a terminal (debug containers): attaching to them is interactive. */
  protected readonly ttyContainerNames = computed(() => this.podContainers().filter((c) => c['tty'] === true && c['stdin'] === true).map((c) => asString(c['name']) as string));
  /** A message about the last action: what happened, or why it was refused. */
  protected readonly notice = signal<{ ok: boolean; text: string; refusal?: string } | undefined>(undefined);
  protected readonly busy = signal(false);

  protected readonly yaml = computed(() => {
    const o = this.object();
    if (!o) return '';
    // managedFields is bookkeeping of the API server, not something people edit.
    // Written as kubectl reads YAML, so a copy pasted elsewhere means what it says ("yes" stays a string).
    const text = stringify({ ...o, metadata: { ...o.metadata, managedFields: undefined } }, MANIFEST_YAML_OPTIONS);
    const kind = this.workloadKind();
    // A copy of this text must not be mistaken for the Secret: applied anywhere, its nulls would empty every value.
    return kind?.group === 'core' && kind.resource === 'secrets' ? `# The values of this Secret are hidden (null) here; Edit reveals them.\n# Do not apply this copy: it would store every value empty.\n${text}` : text;
  });

  protected readonly podRows = computed(() =>
    (this.pods()?.items() ?? [])
      .map((p) => ({ name: p.metadata.name, status: podStatus(p), restarts: restartsText(podColumns(p)), node: String((p['spec'] as Any)?.['nodeName'] ?? ''), created: p.metadata.creationTimestamp }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  );

  /** Conditions that are not a list (a custom resource's map or string), as text. */
  protected readonly oddConditions = computed(() => {
    const conditions = asObject(this.object()?.['status'])['conditions'];
    return conditions === undefined || Array.isArray(conditions) ? undefined : text(conditions);
  });
  // Any shape a custom resource gives its conditions (a map, a string) is drawn, never thrown on.
  protected readonly conditions = computed(() =>
    asArray(asObject(this.object()?.['status'])['conditions'])
      .map(asObject)
      .map((c) => ({ type: text(c['type']), status: text(c['status']), reason: text(c['reason']), message: text(c['message']), since: asString(c['lastTransitionTime']) })),
  );

  /** The controlling owners up to the top one (Pod → ReplicaSet → Deployment), read as the object changes hands. */
  protected readonly owners = signal<OwnerLink[]>([]);

  protected readonly labels = computed(() => Object.entries(this.object()?.metadata.labels ?? {}));
  protected readonly annotations = computed(() => Object.entries(this.object()?.metadata.annotations ?? {}).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration'));
  protected readonly suspended = computed(() => Boolean((this.object()?.['spec'] as Any | undefined)?.['suspend']));
  protected readonly currentReplicas = computed(() => Number((this.object()?.['spec'] as Any | undefined)?.['replicas'] ?? 0));

  /** The resource map of this object (`/workloads/map?ns=…&kind=…&name=…`), for the kinds the map draws. */
  protected readonly mapLink = computed(() => {
    const kind = this.workloadKind();
    if (!kind || !MAP_KINDS.some((k) => k.kind === kind.singular && k.group === kind.group && k.namespaced)) return undefined;
    return { ns: this.namespace(), kind: kind.singular, name: this.name(), tab: null, view: null, container: null, shell: null, debugging: null };
  });
  protected readonly logsLink = computed(() => {
    const kind = this.workloadKind();
    if (!kind) return undefined;
    // The logs view's own namespace (`namespace`), not the console's (`ns`): opening a pod's logs does not change the user's choice.
    if (kind.group === 'core' && kind.resource === 'pods') return { namespace: this.namespace(), pod: this.name(), container: null, previous: null };
    if (kind.hasPods) return { namespace: this.namespace(), workload: `${kind.group}/${kind.version}/${kind.resource}/${this.name()}`, pod: null, container: null, previous: null };
    return undefined;
  });

  constructor() {
    const resolver = inject(KindResolver);
    effect(() => {
      const o = this.object();
      const cluster = this.context.cluster();
      const refs = JSON.stringify(o?.metadata['ownerReferences'] ?? []);
      untracked(() => {
        if (!o || !cluster || refs === '[]') return this.owners.set([]);
        if (refs === this.ownersOf) return;
        this.ownersOf = refs;
        void ownerChain(this.api, resolver, cluster, o).then((chain) => this.owners.set(chain), () => undefined);
      });
    });
    effect(() => {
      const kind = this.workloadKind();
      const cluster = this.context.cluster();
      const namespace = this.ns();
      const name = this.name();
      untracked(() => this.load(kind, cluster, namespace, name));
    });
    // The pods follow the object's selector once it is known.
    effect(() => {
      const o = this.object();
      const kind = this.workloadKind();
      const cluster = this.context.cluster();
      const selector = o && kind?.hasPods ? (kind.resource === 'jobs' ? `job-name=${o.metadata.name}` : podSelector(o)) : undefined;
      untracked(() => {
        if (this.pods()?.query.labelSelector === selector && this.pods()?.query.cluster === cluster) return;
        this.pods()?.stop();
        this.pods.set(selector && cluster ? new LiveList(this.api, this.watch, { cluster, namespace: this.ns(), group: 'core', version: 'v1', resource: 'pods', labelSelector: selector }) : undefined);
      });
    });
    // The events follow the object's uid once it is known, on the watch stream.
    effect(() => {
      const uid = this.object()?.metadata.uid;
      const cluster = this.context.cluster();
      const fieldSelector = uid ? `involvedObject.uid=${uid}` : undefined;
      untracked(() => {
        if (this.eventList()?.query.fieldSelector === fieldSelector && this.eventList()?.query.cluster === cluster) return;
        this.eventList()?.stop();
        this.eventList.set(fieldSelector && cluster ? new LiveList(this.api, this.watch, { cluster, namespace: this.ns(), group: 'core', version: 'v1', resource: 'events', fieldSelector }) : undefined);
      });
    });
    effect(() => {
      const kind = this.workloadKind();
      const cluster = this.context.cluster();
      const wanted = kind?.hasPods && kind.resource !== 'pods' && cluster ? `${cluster}/${this.ns() ?? ''}` : undefined;
      untracked(() => {
        const current = this.podEventList();
        if ((current ? `${current.query.cluster}/${current.query.namespace ?? ''}` : undefined) === wanted) return;
        current?.stop();
        this.podEventList.set(wanted && cluster ? new LiveList(this.api, this.watch, { cluster, namespace: this.ns(), group: 'core', version: 'v1', resource: 'events', fieldSelector: 'involvedObject.kind=Pod' }) : undefined);
      });
    });
    inject(DestroyRef).onDestroy(() => {
      this.live()?.stop();
      this.pods()?.stop();
      this.eventList()?.stop();
      this.podEventList()?.stop();
    });
  }

  protected showView(view: 'overview' | 'yaml' | 'exec' | 'debug'): void {
    const queryParams =
      view === 'exec' || view === 'debug' ? { view, tab: null, shell: null, debugging: null } : { tab: view === 'overview' ? null : view, view: null, container: null, shell: null, debugging: null };
    void this.router.navigate([], { relativeTo: this.route, queryParams, queryParamsHandling: 'merge' });
  }

  /** `_` stands for "no namespace" in the URL (cluster-scoped objects). */
  protected ns(): string | undefined {
    return this.namespace() === '_' ? undefined : this.namespace();
  }

  private load(kind: WorkloadKind | undefined, cluster: string | undefined, namespace: string | undefined, name: string): void {
    this.live()?.stop();
    this.notice.set(undefined);
    if (!kind || !cluster) {
      this.live.set(undefined);
      return;
    }
    this.live.set(new LiveList(this.api, this.watch, { cluster, namespace, group: kind.group, version: kind.version, resource: kind.resource, name }));
    void this.checkPermissions(kind, cluster, namespace, name);
  }

  private async checkPermissions(kind: WorkloadKind, cluster: string, namespace: string | undefined, name: string): Promise<void> {
    const on = { group: kind.group, resource: kind.resource, namespace, name };
    const pod = kind.group === 'core' && kind.resource === 'pods';
    void this.permissions.readOnly().then((readOnly) => this.consoleReadOnly.set(readOnly));
    // A review the gateway cannot answer (the cluster unreachable, or refusing a user-added cluster's entry) offers nothing; the page says why.
    const can = (check: AccessCheck) => this.permissions.can(cluster, check).catch(() => false);
    const [scale, patch, update, remove, createJobs, exec, attach, debug, copy] = await Promise.all([
      kind.scalable ? can({ ...on, verb: 'patch', subresource: 'scale' }) : Promise.resolve(false),
      can({ ...on, verb: 'patch' }),
      // An edit of the YAML replaces the whole object.
      can({ ...on, verb: 'update' }),
      can({ ...on, verb: 'delete' }),
      kind.resource === 'cronjobs' ? can({ verb: 'create', group: 'batch', resource: 'jobs', namespace }) : Promise.resolve(false),
      pod ? can({ verb: 'create', resource: 'pods', subresource: 'exec', namespace, name }) : Promise.resolve(false),
      pod ? can({ verb: 'create', resource: 'pods', subresource: 'attach', namespace, name }) : Promise.resolve(false),
      pod ? can({ verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers', namespace, name }) : Promise.resolve(false),
      pod ? can({ verb: 'create', resource: 'pods', namespace }) : Promise.resolve(false),
    ]);
    this.allowed.set({
      scale,
      restart: Boolean(kind.restartable) && patch,
      suspend: kind.resource === 'cronjobs' && patch,
      trigger: createJobs,
      remove,
      edit: update,
      exec,
      attach,
      debug,
      copy,
    });
  }

  /** Runs an action, says what happened in words, and leaves the page as it was if it failed. */
  private async act(what: string, action: () => Promise<unknown>, done: string): Promise<void> {
    this.busy.set(true);
    this.notice.set(undefined);
    try {
      await action();
      this.notice.set({ ok: true, text: done });
      return;
    } catch (err) {
      this.notice.set({ ok: false, text: `Could not ${what}: ${err instanceof ApiError ? err.message : (err as Error).message}`, ...(err instanceof ApiError && err.forbidden ? { refusal: err.message } : {}) });
    } finally {
      this.busy.set(false);
    }
  }

  protected async askScale(): Promise<void> {
    const answer = await this.confirmation.prompt({
      title: `Scale ${this.name()}`,
      label: 'Replicas',
      type: 'number',
      value: this.currentReplicas(),
      confirm: 'Scale',
      check: (value) => (/^\d+$/.test(value.trim()) ? undefined : 'Replicas must be a whole number, 0 or more.'),
    });
    if (answer !== undefined) await this.scaleTo(Number(answer));
  }

  protected async scaleTo(replicas: number): Promise<void> {
    const kind = this.workloadKind();
    const cluster = this.context.cluster();
    if (!kind || !cluster) return;
    // To 0 stops every pod: one tap on a phone must not do that by accident.
    if (replicas === 0 && this.currentReplicas() > 0) {
      const sure = await this.confirmation.confirm({
        title: `Scale ${this.name()} to 0?`,
        message: `Every pod of ${kind.singular} ${this.name()} stops, and it serves nothing until it is scaled up again.`,
        confirm: 'Scale to 0',
        danger: true,
      });
      if (!sure) return;
    }
    await this.act(`scale ${this.name()}`, () => this.api.scale(cluster, kind, this.name(), this.ns() as string, replicas), `Scaled ${this.name()} to ${replicas} replicas.`);
  }

  protected async restart(): Promise<void> {
    const kind = this.workloadKind();
    const cluster = this.context.cluster();
    if (!kind || !cluster) return;
    const sure = await this.confirmation.confirm({
      title: `Restart ${this.name()}?`,
      message: `New pods replace the old ones one by one (a rollout restart, as kubectl rollout restart does).`,
      confirm: 'Restart',
    });
    if (!sure) return;
    await this.act(`restart ${this.name()}`, () => this.api.restart(cluster, kind, this.name(), this.ns() as string), `Restarting ${this.name()}: new pods replace the old ones one by one.`);
  }

  protected async setSuspended(suspend: boolean): Promise<void> {
    const kind = this.workloadKind();
    const cluster = this.context.cluster();
    if (!kind || !cluster) return;
    await this.act(`${suspend ? 'suspend' : 'resume'} ${this.name()}`, () => this.api.patch(cluster, kind, this.name(), this.ns(), { spec: { suspend } }), suspend ? `${this.name()} is suspended: no new runs start.` : `${this.name()} is resumed.`);
  }

  protected async trigger(): Promise<void> {
    const cluster = this.context.cluster();
    if (!cluster) return;
    let job = '';
    await this.act(`start a run of ${this.name()}`, async () => (job = (await this.api.triggerCronJob(cluster, this.ns() as string, this.name())).job), '');
    if (job) this.notice.set({ ok: true, text: `Started Job ${job}.` });
  }

  protected async remove(): Promise<void> {
    const kind = this.workloadKind();
    const cluster = this.context.cluster();
    if (!kind || !cluster) return;
    const sure = await this.confirmation.confirm({
      title: `Delete ${kind.singular} ${this.name()}?`,
      message: `This cannot be undone${kind.hasPods ? '; its pods are deleted too' : ''}. Type ${this.name()} to confirm.`,
      confirm: 'Delete',
      danger: true,
      typeToConfirm: this.name(),
    });
    if (!sure) return;
    await this.act(`delete ${this.name()}`, () => this.api.delete(cluster, kind, this.name(), this.ns()), `Deleted ${kind.singular} ${this.name()}.`);
    if (this.notice()?.ok) await this.router.navigate(kind.path, { queryParamsHandling: 'preserve' });
  }

  /** The owner references the chain was last read for. */
  private ownersOf = '';

  /** The Secret whose values the person agreed to reveal for editing, on this page. */
  private revealedForEdit: string | undefined;

  /**
   * The whole object an edit starts from, fresh from the API server (never the view's YAML,
   * which is trimmed and, for a Secret, has its values hidden). A Secret is fetched with its
   * values only after its own access review and the person's consent; undefined if they decline.
   */
  protected readonly loadForEdit = async (): Promise<KubeObject | undefined> => {
    const cluster = this.context.cluster();
    const kind = this.workloadKind();
    if (!cluster || !kind) throw new Error('No cluster is selected.');
    const secret = kind.group === 'core' && kind.resource === 'secrets';
    const which = `${cluster}/${this.ns() ?? ''}/${this.name()}`;
    if (secret && this.revealedForEdit !== which) {
      if (!(await this.permissions.can(cluster, { verb: 'get', resource: 'secrets', namespace: this.ns(), name: this.name() }))) {
        throw new Error(`you may not read the values of Secret ${this.name()}, and an edit must start from them, or it would store them empty. Ask for "get" on it.`);
      }
      const reveal = await this.confirmation.confirm({
        title: `Reveal Secret ${this.name()} to edit it?`,
        message: 'Editing a Secret shows its values on this screen (base64-encoded, as stored), so the edit starts from them and none is lost.',
        confirm: 'Reveal and edit',
      });
      if (!reveal) return undefined;
      this.revealedForEdit = which;
    }
    return this.api.get(cluster, kind, this.name(), this.ns(), secret);
  };

  /**
   * The edited object, sent whole with the resourceVersion it was loaded at: the API server
   * stores it only if nobody changed the object since (409 otherwise). A dry run answers with
   * the object as the server would store it, which the editor compares with the current one.
   */
  protected readonly dryRunEdit = (object: KubeObject): Promise<KubeObject> => this.replace(object, true);
  protected readonly applyEdit = (object: KubeObject): Promise<KubeObject> => this.replace(object, false);

  private replace(object: KubeObject, dryRun: boolean): Promise<KubeObject> {
    const cluster = this.context.cluster();
    const kind = this.workloadKind();
    if (!cluster || !kind) throw new Error('No cluster is selected.');
    return this.api.replace(cluster, kind, object, { namespace: this.ns(), dryRun });
  }

  protected eventTimestamp(e: KubeObject): string | undefined {
    return eventLastSeen(e);
  }

  /** What an event is about, when it is not this object itself: "Pod web-7d9f…". */
  protected about(e: KubeObject): string {
    const involved = asObject(e['involvedObject']);
    return asString(involved['uid']) === this.object()?.metadata.uid ? '' : `${text(involved['kind'])} ${text(involved['name'])}`;
  }

  protected count(e: KubeObject): number {
    return eventCount(e);
  }

  protected field(e: KubeObject, name: string): string {
    return String((e as Any)[name] ?? '');
  }
}
