import { apiVersionOf, type CreateTemplate, placeholder, type TemplateKind } from './create-template';

/** What the guided Deployment form asks for. Quantities are text as typed (`100m`, `128Mi`); empty ones are left out. */
export interface DeploymentForm {
  name: string;
  namespace: string;
  image: string;
  replicas: number;
  ports: Array<{ containerPort: number; name?: string }>;
  env: Array<{ name: string; value: string }>;
  requests: { cpu?: string; memory?: string };
  limits: { cpu?: string; memory?: string };
}

/**
 * The container name `kubectl create deployment --image` gives an image: the last path segment
 * without its tag or digest (`nginx` for `docker.io/library/nginx:1.27`), lowercased, with
 * anything a DNS-1123 label may not hold turned into `-`. Rule: kubectl's `buildPodSpec`
 * (k8s.io/kubectl/pkg/cmd/create/create_deployment.go) with `sanitizeAndUniquify`.
 */
export function containerNameFor(image: string): string {
  const last = image.split('/').pop() ?? '';
  const name = (last.split('@')[0] ?? '').split(':')[0] ?? '';
  const cleaned = name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return cleaned || 'app';
}

/**
 * The Deployment a guided form describes, shaped as `kubectl create deployment NAME --image=IMAGE
 * --replicas=N --port=P` makes it: label `app: NAME` on the object, its selector and its pod
 * template, one container named after the image (`containerNameFor`), plus the form's env vars
 * and resource requests and limits (empty ones left out).
 */
export function deploymentFromForm(form: DeploymentForm): Record<string, unknown> {
  // A new object each time it is used: one shared object would be written as a YAML anchor and aliases.
  const labels = () => ({ app: form.name });
  const resources = Object.fromEntries(
    (['requests', 'limits'] as const)
      .map((side) => [side, Object.fromEntries(Object.entries(form[side]).filter(([, v]) => v !== undefined && v.trim() !== '').map(([k, v]) => [k, (v as string).trim()]))] as const)
      .filter(([, values]) => Object.keys(values).length > 0),
  );
  const container: Record<string, unknown> = {
    name: containerNameFor(form.image),
    image: form.image,
    ...(form.ports.length ? { ports: form.ports.map((p) => ({ containerPort: p.containerPort, ...(p.name ? { name: p.name } : {}) })) } : {}),
    ...(form.env.length ? { env: form.env.map((e) => ({ name: e.name, value: e.value })) } : {}),
    ...(Object.keys(resources).length ? { resources } : {}),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: form.name, namespace: form.namespace, labels: labels() },
    spec: { replicas: form.replicas, selector: { matchLabels: labels() }, template: { metadata: { labels: labels() }, spec: { containers: [container] } } },
  };
}

const podSpec = (name: string) => ({ containers: [{ name, image: placeholder('image') }] });
const workload = (name: string) => ({ selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec(name) } });

/**
 * Minimal templates of the built-in kinds people create most, each holding only what the API
 * server requires of that kind (k8s.io/kubernetes/pkg/apis/*\/validation) and the shape the
 * matching `kubectl create` subcommand produces: Deployment, StatefulSet, DaemonSet, Job, CronJob,
 * Pod, Service, ConfigMap, Secret, ServiceAccount, PersistentVolumeClaim, Ingress, Namespace.
 */
const BUILT_IN: Record<string, (name: string) => Record<string, unknown>> = {
  'apps/Deployment': (name) => ({ spec: { replicas: 1, ...workload(name) } }),
  'apps/StatefulSet': (name) => ({ spec: { serviceName: name, replicas: 1, ...workload(name) } }),
  'apps/DaemonSet': (name) => ({ spec: workload(name) }),
  'batch/Job': (name) => ({ spec: { template: { spec: { ...podSpec(name), restartPolicy: 'Never' } } } }),
  'batch/CronJob': (name) => ({ spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: { ...podSpec(name), restartPolicy: 'OnFailure' } } } } } }),
  'core/Pod': (name) => ({ spec: podSpec(name) }),
  'core/Service': (name) => ({ spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } }),
  'core/ConfigMap': () => ({ data: { key: 'value' } }),
  'core/Secret': () => ({ type: 'Opaque', stringData: { key: 'value' } }),
  'core/ServiceAccount': () => ({}),
  'core/PersistentVolumeClaim': () => ({ spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }),
  'networking.k8s.io/Ingress': (name) => ({ spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: 80 } } } }] } }] } }),
  'core/Namespace': () => ({}),
};

/** Cairn's minimal template for a built-in kind (see BUILT_IN's list); undefined for any other kind. */
export function builtInTemplate(kind: TemplateKind, namespace: string | undefined): CreateTemplate | undefined {
  const make = BUILT_IN[`${kind.group || 'core'}/${kind.kind}`];
  if (!make || !(kind.version === 'v1')) return undefined;
  const name = `my-${kind.kind.toLowerCase()}`;
  return {
    object: { apiVersion: apiVersionOf(kind.group, kind.version), kind: kind.kind, metadata: { name, ...(kind.namespaced && namespace ? { namespace } : {}) }, ...make(name) },
    source: 'built-in',
    note: `A minimal ${kind.kind}: replace the placeholders, then check it.`,
  };
}
