import * as z from 'zod/mini';
import { MAX_ACCESS_CHECKS } from '../kube-api/kube-api';
import { clusterName, kubeName } from './kube-names';

/**
 * Every parameter and body the gateway's REST API takes, declared once. The gateway validates
 * requests with these (a 400 naming the field and the rule, a 413 for a body over its size
 * bound) and generates its OpenAPI document (`/api/openapi.json`) from the same objects, and
 * the front ends use them for what they send. Query values arrive as text: the query schemas
 * accept text and give numbers and booleans. Queries and bodies are strict: a parameter or
 * field a route does not know is a 400, never silently dropped (a misspelt `dryrun=true` must
 * not become a real change).
 */

/** `true`/`1` or `false`/`0` in a query, as a boolean. */
export function queryBoolean() {
  return z.optional(z.pipe(z.enum(['true', '1', 'false', '0'], { error: 'must be true or false' }), z.transform((v: 'true' | '1' | 'false' | '0'): boolean => v === 'true' || v === '1')));
}

/** A whole number from `min` to `max` in a query. */
export function queryInteger(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.optional(
    z.pipe(
      z.string().check(z.regex(/^-?[0-9]{1,16}$/, { error }), z.meta({ description: `A whole number from ${min} to ${max}.` })),
      z.pipe(
        z.transform((v: string) => Number(v)),
        z.number().check(z.gte(min, { error }), z.lte(max, { error })),
      ),
    ),
  );
}

/** Optional text of at most `max` characters (selectors, continue tokens). */
function text(max: number, what: string) {
  return z.optional(z.string().check(z.maxLength(max, { error: `must be ${what} of at most ${max} characters` })));
}

const optionalNamespace = z.optional(kubeName('namespace'));

/** Deepest nesting a JSON body may have: Kubernetes objects stay far below it; deeper input only costs stack. */
export const MAX_JSON_DEPTH = 100;

/** Whether `value` nests at most `max` arrays and objects deep (iterative: a deep value cannot overflow the check). */
export function withinDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return false;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}
const depthBound = z.refine((v: unknown) => withinDepth(v), { error: `must nest at most ${MAX_JSON_DEPTH} levels deep (the bound on a JSON body)`, abort: true });

/** `/api/v1/clusters/{cluster}/…` */
export const ClusterParams = z.object({ cluster: clusterName });

/** `/api/v1/clusters/{cluster}/resources/{group}/{version}/{resource}` */
export const KindParams = z.object({ cluster: clusterName, group: kubeName('group'), version: kubeName('version'), resource: kubeName('resource') });
export type KindParams = z.output<typeof KindParams>;

/** `…/resources/{group}/{version}/{resource}/{name}` and its subresources. */
export const ObjectParams = z.object({ ...KindParams.shape, name: kubeName('name') });
export type ObjectParams = z.output<typeof ObjectParams>;

/** The list of one kind: `GET …/resources/{group}/{version}/{resource}`. */
export const ListQuery = z.strictObject({
  namespace: optionalNamespace,
  labelSelector: text(8192, 'a label selector'),
  fieldSelector: text(8192, 'a field selector'),
  limit: queryInteger(1, 10_000),
  continue: text(16_384, 'a continue token from the previous page'),
  resourceVersion: text(128, 'a resourceVersion'),
  resourceVersionMatch: z.optional(z.enum(['Exact', 'NotOlderThan'], { error: 'must be Exact or NotOlderThan' })),
  as: z.optional(z.literal('Table', { error: 'must be "Table" (the API server\'s printed table) or left out' })),
  /**
   * With `as=Table`: `Metadata` (the default) gives each row its object's metadata; `None` gives
   * the cells alone (the API server's `includeObject`), a tenth of the bytes for pods, but rows
   * then carry no name or namespace beyond the Name cell. Only with `as=Table`.
   */
  includeObject: z.optional(z.enum(['Metadata', 'None'], { error: 'must be Metadata or None (with as=Table)' })),
}).check(z.refine((q: { as?: string; includeObject?: string }) => q.includeObject === undefined || q.as === 'Table', { error: 'is only for as=Table (the API server\'s printed table)', path: ['includeObject'] }));
export type ListQuery = z.output<typeof ListQuery>;

/** Where a namespaced object is: `?namespace=` (left out for cluster-scoped kinds). */
export const NamespaceQuery = z.strictObject({ namespace: optionalNamespace });

/**
 * `GET …/rules-review?namespace=`: the API server answers a SelfSubjectRulesReview only for a
 * namespace (rules of ClusterRoleBindings show in every one), as `kubectl auth can-i --list`
 * asks for its current namespace.
 */
export const RulesReviewQuery = z.strictObject({ namespace: kubeName('namespace') });

/** `GET /api/v1/clusters/{cluster}/my-namespaces`; `fresh=true` asks again instead of answering from the gateway's short per-caller cache. */
export const MyNamespacesQuery = z.strictObject({ fresh: queryBoolean() });

/** One object: `GET …/{name}`; `reveal=true` asks for a Secret's values. */
export const GetQuery = z.strictObject({ namespace: optionalNamespace, reveal: queryBoolean() });

/** A change that the API server can try without storing it. */
export const DryRunQuery = z.strictObject({ namespace: optionalNamespace, dryRun: queryBoolean() });

/** `DELETE …/{name}` */
export const DeleteQuery = z.strictObject({
  namespace: optionalNamespace,
  dryRun: queryBoolean(),
  propagationPolicy: z.optional(z.enum(['Foreground', 'Background', 'Orphan'], { error: 'must be Foreground, Background or Orphan' })),
});

/**
 * Longest YAML an apply takes, in characters: the request body's own bound
 * (CAIRN_MAX_BODY_BYTES, default 2 MiB) applies first; the expanded size is bounded again by
 * CAIRN_MAX_MANIFEST_BYTES.
 */
export const MAX_APPLY_TEXT = 2 * 1024 * 1024;

/** `POST …/apply?dryRun&force` */
export const ApplyQuery = z.strictObject({ dryRun: queryBoolean(), force: queryBoolean() });
export const ApplyBody = z.strictObject({
  yaml: z.string().check(
    z.regex(/\S/, { error: 'must hold one or more YAML (or JSON) documents' }),
    z.maxLength(MAX_APPLY_TEXT, { error: `must be at most ${MAX_APPLY_TEXT} characters (2 MiB)` }),
  ),
  namespace: optionalNamespace,
});
export type ApplyBody = z.output<typeof ApplyBody>;

const RESOURCE_VERSION_RULE = 'must be the version the object was edited from, so that a change made meanwhile is refused as a conflict instead of overwritten';
/** `PUT …/{name}`: the whole object, carrying the resourceVersion it was edited from. */
export const ReplaceBody = z.looseObject({
  // Optional as for the API server, which takes them from the address when they are left out.
  apiVersion: z.optional(z.string({ error: "must be the object's apiVersion" })),
  kind: z.optional(z.string({ error: "must be the object's kind" })),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.optional(z.string()),
    // "0" means "any version" to the API server: it would skip the conflict check.
    // The API server reads any spelling of 0 ("0", "00") as "any version": it would skip the conflict check.
    resourceVersion: z.string({ error: RESOURCE_VERSION_RULE }).check(z.regex(/^(?!0+$)[0-9]{1,40}$/, { error: RESOURCE_VERSION_RULE })),
  }),
});
export type ReplaceBody = z.output<typeof ReplaceBody>;
/** The replace body with its depth checked first (the object itself is the API server's to validate). */
export const ReplaceBodyBounded = z.pipe(z.unknown().check(depthBound), ReplaceBody);

/** Content types of `PATCH …/{name}`. */
export const PATCH_CONTENT_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'] as const;
/** A merge or strategic-merge patch (an object), or a JSON patch (an array of operations). */
export const PatchBody = z.pipe(
  z.unknown().check(depthBound),
  z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())], { error: 'must be a patch: an object (merge patch) or an array (JSON patch)' }),
);

/** Most replicas a scale sets. */
export const MAX_REPLICAS = 100_000;
/** `POST …/{name}/scale` */
export const ScaleBody = z.strictObject({
  replicas: z.number({ error: `must be a whole number from 0 to ${MAX_REPLICAS}` }).check(
    z.int({ error: `must be a whole number from 0 to ${MAX_REPLICAS}` }),
    z.gte(0, { error: `must be a whole number from 0 to ${MAX_REPLICAS}` }),
    z.lte(MAX_REPLICAS, { error: `must be a whole number from 0 to ${MAX_REPLICAS}` }),
  ),
});
export type ScaleBody = z.output<typeof ScaleBody>;

/** `POST …/namespaces/{namespace}/cronjobs/{name}/trigger` */
export const NamespacedObjectParams = z.object({ cluster: clusterName, namespace: kubeName('namespace'), name: kubeName('name') });

/** `…/namespaces/{namespace}/pods/{pod}/log` */
export const PodLogParams = z.object({ cluster: clusterName, namespace: kubeName('namespace'), pod: kubeName('name') });

/** `…/namespaces/{namespace}/workloads/{group}/{version}/{resource}/{name}/logs` */
export const WorkloadLogParams = z.object({ ...KindParams.shape, namespace: kubeName('namespace'), name: kubeName('name') });

/** A container log's options, as the API server's PodLogOptions names them. */
export const LogQuery = z.strictObject({
  container: z.optional(kubeName('name')),
  follow: queryBoolean(),
  previous: queryBoolean(),
  timestamps: queryBoolean(),
  tailLines: queryInteger(0, 1_000_000),
  sinceSeconds: queryInteger(1, 10 * 365 * 24 * 3600),
  limitBytes: queryInteger(1, 1024 * 1024 * 1024),
});
export type LogQuery = z.output<typeof LogQuery>;

/** `…/namespaces/{namespace}/pods/{pod}/exec` and `…/attach` (WebSockets): the same parameters as a pod's log. */
export const PodExecParams = PodLogParams;

/** Attaching to a container's main process: which container, and whether it has a terminal (default true). */
export const AttachQuery = z.strictObject({
  container: z.optional(kubeName('name')),
  tty: queryBoolean(),
});
export type AttachQuery = z.output<typeof AttachQuery>;

/** Longest command (all its words together), and most words, a terminal may run. */
export const MAX_EXEC_COMMAND_CHARS = 4096;
export const MAX_EXEC_COMMAND_WORDS = 64;

/** The bounds on a command's words, for a terminal's command and a debug container's: at most MAX_EXEC_COMMAND_WORDS words and MAX_EXEC_COMMAND_CHARS characters, starting with a program. */
export const COMMAND_WORD_BOUNDS = [
  z.maxLength(MAX_EXEC_COMMAND_WORDS, { error: `must have at most ${MAX_EXEC_COMMAND_WORDS} words` }),
  z.refine<string[]>((words) => words[0] !== '' && words.join(' ').length <= MAX_EXEC_COMMAND_CHARS, { error: `must start with a program and be at most ${MAX_EXEC_COMMAND_CHARS} characters` }),
] as const;

/**
 * A terminal's options, as the API server's PodExecOptions names them: the command is one
 * `command` parameter per word (`command=sh&command=-c&command=exit%203`), run without a shell
 * unless it is one; `tty` (default true) gives it a terminal, with stdout and stderr merged.
 */
export const ExecQuery = z.strictObject({
  container: z.optional(kubeName('name')),
  command: z.pipe(
    z.union([z.string(), z.array(z.string())], { error: 'must be the command, one command parameter per word' }),
    z.pipe(
      z.transform((v: string | string[]) => (Array.isArray(v) ? v : [v])),
      z.array(z.string()).check(
        z.minLength(1, { error: 'must name a command' }),
        ...COMMAND_WORD_BOUNDS,
      ),
    ),
  ),
  tty: queryBoolean(),
});
export type ExecQuery = z.output<typeof ExecQuery>;

/** The verbs a SelfSubjectAccessReview may ask about. */
export const ACCESS_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'impersonate', 'escalate', 'bind', 'approve', 'sign', 'use', '*'] as const;

/** One question of `POST /api/v1/clusters/{cluster}/access-reviews`. */
export const AccessCheck = z.strictObject({
  verb: z.enum(ACCESS_VERBS, { error: `must be one of ${ACCESS_VERBS.join(', ')}` }),
  /** API group; `core` or empty for the legacy group. */
  group: z.optional(z.union([z.literal(''), z.literal('*'), kubeName('group')], { error: 'must be an API group such as apps, "" or core for the legacy group, or *' })),
  resource: z.union([z.literal('*'), kubeName('resource')], { error: 'must be a resource name such as pods or deployments, or *' }),
  subresource: z.optional(z.union([z.literal('*'), kubeName('resource')], { error: 'must be a subresource name such as log or scale, or *' })),
  namespace: z.optional(z.union([z.literal(''), kubeName('namespace')])),
  name: z.optional(kubeName('name')),
});
export type AccessCheck = z.output<typeof AccessCheck>;
export const AccessReviewBody = z.strictObject({
  checks: z.array(AccessCheck, { error: 'must be a list of checks, e.g. [{"verb": "list", "group": "apps", "resource": "deployments", "namespace": "team-a"}]' }).check(
    z.minLength(1, { error: 'must hold at least one check, e.g. [{"verb": "list", "group": "apps", "resource": "deployments", "namespace": "team-a"}]' }),
    z.maxLength(MAX_ACCESS_CHECKS, { error: `must hold at most ${MAX_ACCESS_CHECKS} checks per call` }),
  ),
});

/** Longest kubeconfig `check-kubeconfig` reads, in characters. */
export const MAX_KUBECONFIG_TEXT = 1024 * 1024;
/** `POST /api/v1/clusters/check-kubeconfig` */
export const CheckKubeconfigBody = z.strictObject({
  kubeconfig: z.string().check(
    z.regex(/\S/, { error: "must be the kubeconfig file's text (YAML or JSON)" }),
    z.maxLength(MAX_KUBECONFIG_TEXT, { error: 'must be at most 1 MiB: a kubeconfig larger than that is not accepted' }),
  ),
});

/** Most watches one browser stream multiplexes. */
export const MAX_SUBSCRIPTIONS = 50;
/** One watch of a browser stream (`GET /api/v1/watch?subscriptions=[…]`). */
export const WatchSubscription = z.strictObject({
  /** The browser's name for it; every event carries it back. */
  id: z.string().check(z.minLength(1, { error: 'must be a non-empty string' }), z.maxLength(200, { error: 'must be at most 200 characters' })),
  cluster: clusterName,
  group: kubeName('group'),
  version: kubeName('version'),
  resource: kubeName('resource'),
  namespace: optionalNamespace,
  labelSelector: text(8192, 'a label selector'),
  fieldSelector: text(8192, 'a field selector'),
  /** The list's resourceVersion (or the last event's): events after it are sent. */
  resourceVersion: z.optional(z.string().check(z.regex(/^[0-9]{1,40}$/, { error: 'must be a resourceVersion from a list or an event' }))),
});
export type WatchSubscription = z.output<typeof WatchSubscription>;
const SUBSCRIPTIONS_EXAMPLE = '[{"id":"pods","cluster":"main","group":"core","version":"v1","resource":"pods","namespace":"team-a","resourceVersion":"123"}]';
/** `subscriptions`: a JSON array in the query, each id used once. */
/**
 * A query parameter that carries JSON (at most 64 KiB of text), parsed: `name` and `example`
 * (`[{…}]`) make its refusals say what to send. Pipe it into the schema of the value.
 */
export function jsonQuery(name: string, example: string) {
  return z.pipe(
    z.string({ error: `must be given, e.g. ${name}=${example}` }).check(z.maxLength(64 * 1024, { error: 'must be at most 64 KiB' })),
    z.transform((raw: string, ctx) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        ctx.issues.push({ code: 'custom', message: `must be JSON, e.g. ${example}`, input: raw });
        return z.NEVER;
      }
    }),
  );
}

export const WatchQuery = z.strictObject({
  subscriptions: z.pipe(
    jsonQuery('subscriptions', SUBSCRIPTIONS_EXAMPLE),
    z.array(WatchSubscription, { error: `must be a JSON array, e.g. ${SUBSCRIPTIONS_EXAMPLE}` }).check(
      z.minLength(1, { error: `must be a non-empty array, e.g. ${SUBSCRIPTIONS_EXAMPLE}` }),
      z.maxLength(MAX_SUBSCRIPTIONS, { error: `must hold at most ${MAX_SUBSCRIPTIONS} subscriptions per stream` }),
      z.refine((list) => new Set(list.map((s) => s.id)).size === list.length, { error: 'must use each id once' }),
    ),
  ),
});

const CREATE_NAME_RULE = 'must be the new object\'s name (or give metadata.generateName)';
/**
 * `POST …/resources/{group}/{version}/{resource}`: a new object, whole. It carries no
 * resourceVersion (a create never replaces anything: an object of that name already there is
 * the API server's 409 AlreadyExists).
 */
export const CreateBody = z.looseObject({
  apiVersion: z.string({ error: "must be the object's apiVersion, e.g. apps/v1" }),
  kind: z.string({ error: "must be the object's kind, e.g. Deployment" }),
  metadata: z
    .looseObject({
      name: z.optional(z.string({ error: CREATE_NAME_RULE })),
      generateName: z.optional(z.string({ error: CREATE_NAME_RULE })),
      namespace: z.optional(z.string()),
    })
    .check(
      z.refine((m) => !!m.name || !!m.generateName, { error: CREATE_NAME_RULE, path: ['name'] }),
      z.refine((m) => m['resourceVersion'] === undefined, { error: 'must be left out: a new object has no resourceVersion yet', path: ['resourceVersion'] }),
    ),
});
export type CreateBody = z.output<typeof CreateBody>;
/** The create body with its depth checked first (the object itself is the API server's to validate). */
export const CreateBodyBounded = z.pipe(z.unknown().check(depthBound), CreateBody);

/** `GET …/openapi/{group}/{version}`: the OpenAPI v3 document of one group version (`core` for the legacy group). */
export const OpenApiParams = z.object({ cluster: clusterName, group: kubeName('group'), version: kubeName('version') });
export type OpenApiParams = z.output<typeof OpenApiParams>;
