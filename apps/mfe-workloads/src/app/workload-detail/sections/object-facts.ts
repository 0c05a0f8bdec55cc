import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiClient, ApiError, ConsoleContext, KubeObject, LiveList, Permissions, WatchStream } from '@cairn/data-access';
import {
  asArray, asObject, asString, containerDetails, endpointsOf, nextCronRun, podTemplateSpec, selectorText, serviceFacts, strategyText, text,
} from '@cairn/kube-model';
import { Confirmation, Notice, StatusBadge, TimeAgo } from '@cairn/ui-kit';
import { jobStatus, WorkloadKind } from '../../workload-kinds';
import { ContainerCards } from './container-cards';
import { nodeLink, sourceLink } from './links';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject | undefined): Obj => asObject(o?.['spec']);
const stat = (o: KubeObject | undefined): Obj => asObject(o?.['status']);

/** A key of a ConfigMap or revealed Secret: its text, or that it is binary and how big. */
interface DataEntry {
  key: string;
  value?: string;
  /** Bytes, for binary data and for revealed values. */
  bytes?: number;
  binary?: boolean;
}

/** Base64 (as the API stores Secret and binaryData values) to text, or undefined when it is not UTF-8. */
function decode(base64: string): { text?: string; bytes: number } {
  const binary = atob(base64);
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), bytes: bytes.length };
  } catch {
    return { bytes: bytes.length };
  }
}

/**
 * The facts of one object that are particular to its kind, each where people look for it in
 * `kubectl describe`: a pod's node, addresses, QoS and containers; a workload's selector,
 * strategy and pod template; a Service's ports and endpoints; a ConfigMap's data; a Secret's
 * keys (values on request, after an access review); a CronJob's schedule, next run and recent
 * Jobs; storage claims and volumes; Ingress rules. Live where the page is (endpoints, Jobs).
 */
@Component({
  selector: 'cairn-object-facts',
  imports: [RouterLink, ContainerCards, Notice, StatusBadge, TimeAgo],
  templateUrl: './object-facts.html',
  styleUrl: './object-facts.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ObjectFacts {
  readonly object = input.required<KubeObject>();
  readonly kind = input.required<WorkloadKind>();
  /** The object's namespace ('' for cluster-scoped ones). */
  readonly namespace = input.required<string>();
  private readonly api = inject(ApiClient);
  private readonly watch = inject(WatchStream);
  private readonly permissions = inject(Permissions);
  private readonly confirmation = inject(Confirmation);
  private readonly context = inject(ConsoleContext);

  protected readonly resource = computed(() => (this.kind().group === 'core' || ['apps', 'batch', 'networking.k8s.io', 'storage.k8s.io'].includes(this.kind().group) ? this.kind().resource : ''));
  protected readonly spec = computed(() => spec(this.object()));
  protected readonly status = computed(() => stat(this.object()));
  protected readonly text = text;
  protected readonly sourceLink = sourceLink;
  protected readonly nodeLink = nodeLink;

  // Pods and workloads.
  protected readonly containers = computed(() => {
    const o = this.object();
    if (this.resource() === 'pods') return containerDetails(o['spec'], o['status'], o.metadata);
    return this.kind().hasPods ? containerDetails(podTemplateSpec(o)) : [];
  });
  protected readonly podIPs = computed(() => {
    const ips = asArray(this.status()['podIPs']).map((p) => text(asObject(p)['ip'])).filter(Boolean);
    return ips.length ? ips.join(', ') : text(this.status()['podIP']);
  });
  protected readonly selector = computed(() => selectorText(this.spec()['selector']));
  /** The selector as the pods list's filter (`k=v` terms), for a link that shows exactly these pods. */
  protected readonly selectorFilter = computed(() => Object.entries(asObject(asObject(this.spec()['selector'])['matchLabels'] ?? this.spec()['selector'])).map(([k, v]) => `${k}=${text(v)}`).join(' '));
  protected readonly strategy = computed(() => strategyText(this.object()));
  protected readonly templateServiceAccount = computed(() => text(podTemplateSpec(this.object())['serviceAccountName']));

  // Services.
  protected readonly service = computed(() => (this.resource() === 'services' ? serviceFacts(this.object()) : undefined));
  private readonly slices = signal<LiveList | undefined>(undefined);
  protected readonly endpoints = computed(() => endpointsOf(this.slices()?.items() ?? []));
  protected readonly slicesError = computed(() => this.slices()?.error());

  // ConfigMaps and Secrets.
  protected readonly configData = computed<DataEntry[]>(() => {
    if (this.resource() !== 'configmaps') return [];
    const o = this.object();
    return [
      ...Object.entries(asObject(o['data'])).map(([key, value]) => ({ key, value: text(value) })),
      ...Object.entries(asObject(o['binaryData'])).map(([key, value]) => ({ key, binary: true, bytes: decode(text(value)).bytes })),
    ].sort((a, b) => a.key.localeCompare(b.key));
  });
  /** A Secret's keys from the (redacted) object: the values are not there. */
  protected readonly secretKeys = computed(() => (this.resource() === 'secrets' ? Object.keys({ ...asObject(this.object()['data']), ...asObject(this.object()['stringData']) }).sort() : []));
  protected readonly revealed = signal<DataEntry[] | undefined>(undefined);
  protected readonly revealError = signal<string | undefined>(undefined);
  protected readonly revealing = signal(false);
  private revealedOf: string | undefined;

  // CronJobs: the next run is worked out by croner, loaded with the first CronJob shown.
  protected readonly nextRun = signal<Awaited<ReturnType<typeof nextCronRun>> | undefined>(undefined);
  private nextRunAsked = 0;
  private readonly jobs = signal<LiveList | undefined>(undefined);
  protected readonly recentJobs = computed(() => {
    const uid = this.object().metadata.uid;
    return (this.jobs()?.items() ?? [])
      .filter((j) => asArray(j.metadata['ownerReferences']).some((r) => asObject(r)['uid'] === uid))
      .map((j) => ({ name: j.metadata.name, status: jobStatus(j), started: asString(stat(j)['startTime']) ?? j.metadata.creationTimestamp, completed: asString(stat(j)['completionTime']) }))
      .sort((a, b) => (b.started ?? '').localeCompare(a.started ?? ''));
  });
  protected readonly jobsError = computed(() => this.jobs()?.error());

  // Storage and Ingress.
  protected readonly accessModes = computed(() => asArray(this.spec()['accessModes']).map(text).join(', '));
  protected readonly capacity = computed(() => text(asObject(this.status()['capacity'])['storage'] ?? asObject(this.spec()['capacity'])['storage']));
  protected readonly requested = computed(() => text(asObject(asObject(this.spec()['resources'])['requests'])['storage']));
  protected readonly claimRef = computed(() => asObject(this.spec()['claimRef']));
  protected readonly ingressRules = computed(() =>
    asArray(this.spec()['rules']).map(asObject).flatMap((rule) => {
      const host = text(rule['host']) || '*';
      return asArray(asObject(rule['http'])['paths']).map(asObject).map((p) => {
        const backend = asObject(asObject(p['backend'])['service']);
        const port = asObject(backend['port']);
        return { host, path: text(p['path']) || '/', pathType: text(p['pathType']), service: text(backend['name']), port: text(port['name'] ?? port['number']) };
      });
    }),
  );
  protected readonly ingressTls = computed(() => asArray(this.spec()['tls']).map(asObject).map((t) => ({ hosts: asArray(t['hosts']).map(text).join(', '), secret: text(t['secretName']) })));
  protected readonly defaultBackend = computed(() => {
    const backend = asObject(asObject(this.spec()['defaultBackend'])['service']);
    return backend['name'] ? `${text(backend['name'])}:${text(asObject(backend['port'])['name'] ?? asObject(backend['port'])['number'])}` : undefined;
  });

  // ServiceAccounts.
  protected readonly accountSecrets = computed(() => asArray(this.object()['secrets']).map((s) => text(asObject(s)['name'])).filter(Boolean));
  protected readonly pullSecrets = computed(() => asArray(this.object()['imagePullSecrets']).map((s) => text(asObject(s)['name'])).filter(Boolean));

  constructor() {
    // Worked out again whenever the CronJob changes (a run just happened, the schedule was edited).
    effect(() => {
      const asked = ++this.nextRunAsked;
      const spec = this.spec();
      if (this.resource() !== 'cronjobs' || spec['suspend'] === true) {
        this.nextRun.set(undefined);
        return;
      }
      void nextCronRun(text(spec['schedule']), asString(spec['timeZone']), new Date()).then((next) => {
        if (asked === this.nextRunAsked) this.nextRun.set(next);
      });
    });
    // A Service's endpoints, live: its EndpointSlices carry its name in a label.
    effect(() => {
      const wanted = this.resource() === 'services' ? `${this.context.cluster()}/${this.namespace()}/${this.object().metadata.name}` : undefined;
      const cluster = this.context.cluster();
      const name = this.object().metadata.name;
      untracked(() => {
        const current = this.slices();
        if (current && `${current.query.cluster}/${current.query.namespace}/${current.query.labelSelector?.split('=')[1]}` === wanted) return;
        current?.stop();
        this.slices.set(wanted && cluster ? new LiveList(this.api, this.watch, { cluster, namespace: this.namespace(), group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', labelSelector: `kubernetes.io/service-name=${name}` }) : undefined);
      });
    });
    // A CronJob's Jobs, live (those it owns, by uid).
    effect(() => {
      const wanted = this.resource() === 'cronjobs' ? `${this.context.cluster()}/${this.namespace()}` : undefined;
      const cluster = this.context.cluster();
      untracked(() => {
        const current = this.jobs();
        if (current && `${current.query.cluster}/${current.query.namespace}` === wanted) return;
        current?.stop();
        this.jobs.set(wanted && cluster ? new LiveList(this.api, this.watch, { cluster, namespace: this.namespace(), group: 'batch', version: 'v1', resource: 'jobs' }) : undefined);
      });
    });
    // Revealed values belong to the object they were read from.
    effect(() => {
      const uid = this.object().metadata.uid;
      untracked(() => {
        if (uid !== this.revealedOf) this.revealed.set(undefined);
        this.revealedOf = uid;
      });
    });
    inject(DestroyRef).onDestroy(() => {
      this.slices()?.stop();
      this.jobs()?.stop();
    });
  }

  /**
   * Reads the Secret again with its values, after its own access review (`get` on this Secret)
   * and the person's consent; the gateway writes the reveal to its audit log.
   */
  protected async reveal(): Promise<void> {
    const cluster = this.context.cluster();
    const name = this.object().metadata.name;
    if (!cluster) return;
    this.revealError.set(undefined);
    if (!(await this.permissions.can(cluster, { verb: 'get', resource: 'secrets', namespace: this.namespace(), name }))) {
      this.revealError.set(`You may not read the values of Secret ${name}: your role lacks "get" on it. Ask whoever manages access to this namespace.`);
      return;
    }
    const sure = await this.confirmation.confirm({
      title: `Show the values of Secret ${name}?`,
      message: 'Its values appear on this screen until you hide them or leave the page. Anyone who can see your screen can read them.',
      confirm: 'Show values',
    });
    if (!sure) return;
    this.revealing.set(true);
    try {
      const secret = await this.api.get(cluster, this.kind(), name, this.namespace(), true);
      this.revealed.set(
        Object.entries(asObject(secret['data']))
          .map(([key, value]) => {
            const decoded = decode(text(value));
            return decoded.text === undefined ? { key, binary: true, bytes: decoded.bytes } : { key, value: decoded.text, bytes: decoded.bytes };
          })
          .sort((a, b) => a.key.localeCompare(b.key)),
      );
    } catch (err) {
      this.revealError.set(`The values could not be read: ${err instanceof ApiError ? err.message : (err as Error).message}`);
    } finally {
      this.revealing.set(false);
    }
  }

  protected hide(): void {
    this.revealed.set(undefined);
  }
}
