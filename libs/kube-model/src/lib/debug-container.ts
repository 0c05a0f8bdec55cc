import { asArray, asObject, asString, Json } from './json-shape';

/**
 * `kubectl debug`'s rules for a pod (k8s.io/kubectl/pkg/cmd/debug: debug.go's
 * `generateDebugContainer`, `generatePodCopyWithDebugContainer` and
 * `computeDebugContainerName`, with profiles.go's default `general` profile), once, for the
 * gateway that sends them and the console that names what it is about to do.
 *
 * Always as `kubectl debug -it`: the console attaches a terminal, so the debug container gets
 * `stdin` and `tty`. kubectl debug has no `--dry-run`; apps/gateway/src/app/debug/debug.spec.ts
 * runs the real `kubectl debug -it --attach=false` beside these rules on the dev cluster and
 * compares what the API server stored for each.
 */

/** The image a debug container starts from unless the user picks another (kubectl has no default; its examples use busybox). */
export const DEFAULT_DEBUG_IMAGE = 'busybox:1.37';

/** What the user chose for a debug container (kubectl's `--image`, `--target`, `-c`, and the words after `--`). */
export interface DebugContainerOptions {
  image: string;
  /** kubectl's `--target`: the container whose process namespace the debug container joins. */
  target?: string;
  /** kubectl's `-c`/`--container`; a free `debugger-xxxxx` name when left out. */
  name?: string;
  /** The command (kubectl's words after `--`, as `command`: kubectl's default without `--arguments-only`). */
  command?: string[];
}

/** kubectl debug's `--copy-to` choices. */
export interface DebugCopyOptions {
  /** kubectl's `--copy-to`: the new pod's name. */
  copyName: string;
  /** kubectl's `--image`: required for a new container; for an existing one it replaces that container's image. */
  image?: string;
  /** kubectl's `-c`: an existing container to change (its image and command), or a new one's name (default `debugger-xxxxx`). */
  container?: string;
  command?: string[];
  /** kubectl's `--share-processes` (default true: the `general` profile shares the process namespace unless told). */
  shareProcesses?: boolean;
}

type Obj = Record<string, unknown>;

/** The names of a pod's containers, init containers and ephemeral containers (kubectl's `containerNameToRef`). */
export function podContainerNames(pod: Json): Set<string> {
  const spec = asObject(asObject(pod)['spec']);
  const names = new Set<string>();
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of asArray(spec[list])) {
      const name = asString(asObject(c)['name']);
      if (name) names.add(name);
    }
  }
  return names;
}

/** Five characters as `utilrand.String(5)` draws them (no vowels, no look-alikes). */
function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/**
 * kubectl's `computeDebugContainerName`: the name asked for, else `debugger-xxxxx` with a
 * random suffix that no container of the pod has yet.
 */
export function debugContainerName(pod: Json, asked?: string, suffix: () => string = randomSuffix): string {
  if (asked) return asked;
  const taken = podContainerNames(pod);
  let name = '';
  while (!name || taken.has(name)) name = `debugger-${suffix()}`;
  return name;
}

/** profiles.go `allowProcessTracing`: the `general` profile adds SYS_PTRACE to the debug container. */
function withProcessTracing(container: Obj): Obj {
  const securityContext = asObject(container['securityContext']);
  const capabilities = asObject(securityContext['capabilities']);
  return { ...container, securityContext: { ...securityContext, capabilities: { ...capabilities, add: [...asArray(capabilities['add']), 'SYS_PTRACE'] } } };
}

/**
 * The ephemeral container `kubectl debug -it <pod> --image=… [--target=…] [-c …] [-- command…]`
 * adds (`generateDebugContainer` and the `general` profile): `name`, `image`, `stdin` and
 * `tty` true, `terminationMessagePolicy: File`, `targetContainerName` when a target is
 * given, the command, and `securityContext.capabilities.add: [SYS_PTRACE]`.
 *
 * Throws (a message for the user) when the name is taken or the target is not one of the
 * pod's containers — the API server would refuse both, with a less direct message.
 */
export function ephemeralDebugContainer(pod: Json, options: DebugContainerOptions, suffix?: () => string): Obj {
  const names = podContainerNames(pod);
  if (options.name && names.has(options.name)) throw new Error(`Pod ${podName(pod)} already has a container named ${options.name}; choose another name for the debug container.`);
  const regular = asArray(asObject(asObject(pod)['spec'])['containers']).map((c) => asString(asObject(c)['name']));
  if (options.target && !regular.includes(options.target)) throw new Error(`Pod ${podName(pod)} has no container ${options.target} to target; choose one of ${regular.join(', ')}.`);
  const container: Obj = {
    name: debugContainerName(pod, options.name, suffix),
    image: options.image,
    ...(options.command?.length ? { command: options.command } : {}),
    stdin: true,
    tty: true,
    terminationMessagePolicy: 'File',
    ...(options.target ? { targetContainerName: options.target } : {}),
  };
  return withProcessTracing(container);
}

/**
 * The body of the strategic-merge patch on the pod's `ephemeralcontainers` subresource that
 * appends `container`, as kubectl sends it (`strategicpatch.CreateTwoWayMergePatch` from the pod
 * to the pod with the container appended): ephemeralContainers merge by `name`, and the
 * `$setElementOrder` directive keeps the existing ones first — without it the API server would
 * put the new container before them.
 */
export function ephemeralContainerPatch(pod: Json, container: Obj): Obj {
  const existing = asArray(asObject(asObject(pod)['spec'])['ephemeralContainers']).map((c) => ({ name: asString(asObject(c)['name']) }));
  return { spec: { '$setElementOrder/ephemeralContainers': [...existing, { name: container['name'] }], ephemeralContainers: [container] } };
}

/** Probe fields the `general` profile removes from every container of a copy (`RemoveProbes`). */
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];

/**
 * The pod `kubectl debug <pod> -it --copy-to=<name> [--image=…] [-c …] [--share-processes] [-- command…]`
 * creates (`generatePodCopyWithDebugContainer` with the `general` profile): the original's spec
 * without its ephemeral containers, its node (`--same-node` is not offered) and its probes;
 * metadata with only the name and namespace — no labels, annotations or owner references,
 * so no controller adopts the copy and no Service sends it traffic; the process namespace
 * shared unless `shareProcesses` is false. The debug container is `container` when the pod has
 * one of that name (its image and command replaced), else a new container appended
 * (`debugger-xxxxx` unless named), with `stdin`, `tty` and SYS_PTRACE.
 *
 * Throws (a message for the user) when a new container has no image or the copy would keep
 * the original's name.
 */
export function podCopyWithDebugContainer(pod: Json, options: DebugCopyOptions, suffix?: () => string): { pod: Obj; container: string } {
  const original = asObject(pod);
  const metadata = asObject(original['metadata']);
  if (options.copyName === asString(metadata['name'])) throw new Error(`The copy needs a name of its own: ${options.copyName} is the pod being debugged.`);
  const spec: Obj = { ...asObject(original['spec']) };
  delete spec['ephemeralContainers'];
  delete spec['nodeName'];
  if (options.shareProcesses !== undefined) spec['shareProcessNamespace'] = options.shareProcesses;
  else if (spec['shareProcessNamespace'] === undefined) spec['shareProcessNamespace'] = true;
  const containers = asArray(spec['containers']).map((c) => {
    const copy = { ...asObject(c) };
    for (const probe of PROBES) delete copy[probe];
    return copy;
  });
  let index = options.container ? containers.findIndex((c) => c['name'] === options.container) : -1;
  if (index < 0) {
    if (!options.image) throw new Error('A new debug container needs an image: give one, or name one of the pod\'s containers to change.');
    containers.push({ name: debugContainerName({ spec: { ...spec, containers } }, options.container, suffix), terminationMessagePolicy: 'File' });
    index = containers.length - 1;
  }
  const debug = containers[index] as Obj;
  if (options.command?.length) {
    debug['command'] = options.command;
    delete debug['args'];
  }
  if (options.image) debug['image'] = options.image;
  debug['stdin'] = true;
  debug['tty'] = true;
  containers[index] = withProcessTracing(debug);
  spec['containers'] = containers;
  return {
    pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: options.copyName, namespace: asString(metadata['namespace']) }, spec },
    container: asString(debug['name']) ?? '',
  };
}

/**
 * Whether a pod is one to debug by copy rather than in place: a container (or init container)
 * is crash-looping or has failed, or the pod itself failed — there is no running process to
 * join, so kubectl's advice is `--copy-to` with a changed command.
 */
export function podHasCrashedContainers(pod: Json): boolean {
  const status = asObject(asObject(pod)['status']);
  if (asString(status['phase']) === 'Failed') return true;
  return [...asArray(status['containerStatuses']), ...asArray(status['initContainerStatuses'])].some((s) => {
    const state = asObject(asObject(s)['state']);
    const waiting = asString(asObject(state['waiting'])['reason']);
    const exit = asObject(state['terminated'])['exitCode'];
    return waiting === 'CrashLoopBackOff' || (typeof exit === 'number' && exit !== 0);
  });
}

/**
 * The state of container `name` (a container, init container or ephemeral container) as the
 * pod's status reports it — what kubectl debug's `waitForContainer` waits on before it attaches:
 * `running`, `waiting` (with its reason), `terminated` (with its reason), or `unknown` before
 * the kubelet has reported it.
 */
export function containerRunState(pod: Json, name: string): { state: 'running' | 'waiting' | 'terminated' | 'unknown'; reason?: string } {
  const status = asObject(asObject(pod)['status']);
  const found = ['ephemeralContainerStatuses', 'containerStatuses', 'initContainerStatuses']
    .flatMap((list) => asArray(status[list]).map(asObject))
    .find((s) => s['name'] === name);
  const state = asObject(found?.['state']);
  if (state['running']) return { state: 'running' };
  if (state['terminated']) return { state: 'terminated', reason: asString(asObject(state['terminated'])['reason']) };
  if (state['waiting']) return { state: 'waiting', reason: asString(asObject(state['waiting'])['reason']) };
  return { state: 'unknown' };
}

function podName(pod: Json): string {
  return asString(asObject(asObject(pod)['metadata'])['name']) ?? '';
}
