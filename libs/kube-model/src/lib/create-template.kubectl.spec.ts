import { DevCluster } from '@cairn/kube-testenv';
import { builtInTemplate, deploymentFromForm } from './built-in-templates';
import { kindSchema, openApiV3Path, placeholder, templateFromSchema } from './create-template';
import { dns1123SubdomainProblem, envNameProblem, portProblem, quantityProblem } from './field-rules';

/**
 * The API server is the oracle for templates: each is generated from the OpenAPI v3 document the
 * dev cluster publishes, and what the server's own validation (a dry-run create) says of it is
 * what counts. A CRD of the test's own marks fields required at several depths (an enum, an
 * integer with a minimum, a required array of objects with required fields).
 */
describe('templates from the schemas a real cluster publishes', () => {
  let cluster: DevCluster;
  const GROUP = 'templates.cairn.test';

  const widgetDefinition = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: {
                spec: {
                  type: 'object',
                  required: ['size', 'color', 'owner', 'parts', 'enabled'],
                  properties: {
                    size: { type: 'integer', minimum: 1 },
                    color: { type: 'string', enum: ['red', 'green'] },
                    owner: { type: 'string' },
                    enabled: { type: 'boolean' },
                    note: { type: 'string' },
                    parts: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, count: { type: 'integer' } } } },
                  },
                },
                status: { type: 'object', required: ['phase'], properties: { phase: { type: 'string' } } },
              },
            },
          },
        },
        // A version served without a schema body of its own beyond "anything goes".
        { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
      ],
    },
  };

  async function published(path: string): Promise<unknown> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await cluster.adminApi().send('GET', path);
      if (res.status === 200) return JSON.parse(res.body);
      if (Date.now() > deadline) throw new Error(`${path} still answers ${res.status}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** A server-side dry-run create: the API server's verdict on the object. */
  const dryRunCreate = (path: string, object: unknown) => cluster.adminApi().send('POST', `${path}?dryRun=All`, { body: JSON.stringify(object), contentType: 'application/json' });

  beforeAll(async () => {
    cluster = await DevCluster.start({ seed: false });
    await cluster.adminApi().json('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetDefinition);
  }, 300_000);

  afterAll(() => cluster?.stop());

  it('fills every required field of a CRD with a placeholder the API server accepts once the name is set', async () => {
    const document = await published(openApiV3Path(GROUP, 'v1'));
    const template = templateFromSchema(document, { group: GROUP, version: 'v1', kind: 'Widget', namespaced: true }, 'default');
    expect(template.source).toBe('schema');
    expect(template.object).toEqual({
      apiVersion: `${GROUP}/v1`,
      kind: 'Widget',
      metadata: { name: placeholder('name'), namespace: 'default' },
      spec: { size: 1, color: 'red', owner: placeholder('owner'), enabled: false, parts: [{ name: placeholder('name') }] },
    });
    const named = { ...template.object, metadata: { name: 'w1', namespace: 'default' } };
    const accepted = await dryRunCreate(`/apis/${GROUP}/v1/namespaces/default/widgets`, named);
    expect(accepted.status).toBe(201);
    // The oracle tells a missing required field apart: without the template's `owner`, it refuses naming the field.
    const spec = { ...(template.object['spec'] as Record<string, unknown>) };
    delete spec['owner'];
    const refused = await dryRunCreate(`/apis/${GROUP}/v1/namespaces/default/widgets`, { ...named, spec });
    expect(refused.status).toBe(422);
    expect(JSON.parse(refused.body).details.causes).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'spec.owner', reason: 'FieldValueRequired' })]));
  });

  it('gives apiVersion, kind and metadata only for a version that publishes no fields, and says so when there is no schema at all', async () => {
    const document = await published(openApiV3Path(GROUP, 'v1beta1'));
    const loose = templateFromSchema(document, { group: GROUP, version: 'v1beta1', kind: 'Widget', namespaced: true }, 'default');
    expect(loose.object).toEqual({ apiVersion: `${GROUP}/v1beta1`, kind: 'Widget', metadata: { name: placeholder('name'), namespace: 'default' } });
    expect(loose.note).toMatch(/requires nothing beyond metadata/);
    const none = templateFromSchema(undefined, { group: GROUP, version: 'v1', kind: 'Widget', namespaced: true }, 'default');
    expect(none.source).toBe('none');
    expect(none.note).toMatch(/publishes no OpenAPI schema for Widget/);
    // A kind the document does not describe is the same as no schema.
    expect(templateFromSchema(document, { group: GROUP, version: 'v1beta1', kind: 'Gizmo', namespaced: true }, 'default').source).toBe('none');
  });

  it("follows the built-in schemas' references: a Deployment's spec gets its required selector and template, a cluster-scoped kind no namespace", async () => {
    const apps = await published(openApiV3Path('apps', 'v1'));
    expect(kindSchema(apps, { group: 'apps', version: 'v1', kind: 'Deployment' })).toBeDefined();
    const deployment = templateFromSchema(apps, { group: 'apps', version: 'v1', kind: 'Deployment', namespaced: true }, 'default');
    expect(deployment.object['spec']).toEqual({ selector: {}, template: {} });
    const core = await published(openApiV3Path('core', 'v1'));
    const namespace = templateFromSchema(core, { group: 'core', version: 'v1', kind: 'Namespace', namespaced: false }, 'default');
    expect(namespace.object['metadata']).toEqual({ name: placeholder('name') });
    expect(namespace.source).toBe('schema');
  });

  it('makes built-in templates the API server accepts as they are, cluster-scoped ones without a namespace', async () => {
    await cluster.adminApi().json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'templates' } });
    // A Pod needs the namespace's default ServiceAccount, which the controller manager makes.
    await published('/api/v1/namespaces/templates/serviceaccounts/default');
    const kinds = [
      { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments' },
      { group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets' },
      { group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets' },
      { group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs' },
      { group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs' },
      { group: 'core', version: 'v1', kind: 'Pod', resource: 'pods' },
      { group: 'core', version: 'v1', kind: 'Service', resource: 'services' },
      { group: 'core', version: 'v1', kind: 'ConfigMap', resource: 'configmaps' },
      { group: 'core', version: 'v1', kind: 'Secret', resource: 'secrets' },
      { group: 'core', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts' },
      { group: 'core', version: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims' },
      { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', resource: 'ingresses' },
    ];
    for (const k of kinds) {
      const template = builtInTemplate({ ...k, namespaced: true }, 'templates');
      expect(template?.source).toBe('built-in');
      // The image placeholder is the one thing to fill in; any image name passes validation.
      const object = JSON.parse(JSON.stringify(template?.object).replaceAll(placeholder('image'), 'nginx:1.27'));
      const base = k.group === 'core' ? '/api/v1' : `/apis/${k.group}/v1`;
      const res = await dryRunCreate(`${base}/namespaces/templates/${k.resource}`, object);
      expect({ kind: k.kind, status: res.status, body: res.status === 201 ? '' : res.body }).toEqual({ kind: k.kind, status: 201, body: '' });
    }
    const namespace = builtInTemplate({ group: 'core', version: 'v1', kind: 'Namespace', namespaced: false }, 'templates');
    expect(namespace?.object['metadata']).toEqual({ name: 'my-namespace' });
    expect((await dryRunCreate('/api/v1/namespaces', namespace?.object)).status).toBe(201);
    expect(builtInTemplate({ group: GROUP, version: 'v1', kind: 'Widget', namespaced: true }, 'templates')).toBeUndefined();
  });

  it("the form's field rules agree with the API server's validation, value by value", async () => {
    const base = (over: { name?: string; port?: number; env?: string; cpu?: string }) =>
      deploymentFromForm({
        name: over.name ?? 'rules',
        namespace: 'templates',
        image: 'nginx:1.27',
        replicas: 1,
        ports: over.port === undefined ? [] : [{ containerPort: over.port }],
        env: over.env === undefined ? [] : [{ name: over.env, value: 'v' }],
        requests: { cpu: over.cpu },
        limits: {},
      });
    const cases: Array<{ what: string; ours: string | undefined; object: Record<string, unknown> }> = [
      ...['web', 'a.b-c', 'Web', '-web', 'web_1', 'a'.repeat(254)].map((name) => ({ what: `name ${name.slice(0, 20)}`, ours: dns1123SubdomainProblem(name), object: base({ name }) })),
      ...[1, 8080, 65535, 0, 65536].map((port) => ({ what: `port ${port}`, ours: portProblem(port), object: base({ port }) })),
      ...['100m', '1.5', '.5', '1e3', '2Ki', '12 apples', '-1', '1.5.2', '5Kb'].map((cpu) => ({ what: `cpu ${cpu}`, ours: quantityProblem(cpu), object: base({ cpu }) })),
      ...['MODE', 'my.var', 'with space', 'A=B'].map((env) => ({ what: `env ${env}`, ours: envNameProblem(env), object: base({ env }) })),
    ];
    const verdicts = [];
    for (const c of cases) {
      const res = await dryRunCreate('/apis/apps/v1/namespaces/templates/deployments', c.object);
      verdicts.push({ what: c.what, server: res.status === 201 ? 'accepts' : `refuses (${res.status})`, ours: c.ours === undefined ? 'accepts' : 'refuses' });
    }
    expect(verdicts.map((v) => `${v.what}: ${v.ours}`)).toEqual(verdicts.map((v) => `${v.what}: ${v.server.startsWith('refuses') ? 'refuses' : 'accepts'}`));
  });

  it('a guided Deployment is what kubectl create deployment makes, and the API server takes it', async () => {
    const object = deploymentFromForm({
      name: 'shop',
      namespace: 'templates',
      image: 'registry.example:5000/team/shop-api:1.2@sha256:abc',
      replicas: 2,
      ports: [{ containerPort: 8080, name: 'http' }],
      env: [{ name: 'MODE', value: 'fast' }],
      requests: { cpu: '100m', memory: ' ' },
      limits: { memory: '256Mi' },
    });
    const container = (object['spec'] as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0];
    expect(container).toEqual({ name: 'shop-api', image: 'registry.example:5000/team/shop-api:1.2@sha256:abc', ports: [{ containerPort: 8080, name: 'http' }], env: [{ name: 'MODE', value: 'fast' }], resources: { requests: { cpu: '100m' }, limits: { memory: '256Mi' } } });
    expect((await dryRunCreate('/apis/apps/v1/namespaces/templates/deployments', object)).status).toBe(201);
  });
});
