import { freePort } from '@cairn/kube-testenv';
import { flagName } from '@cairn/server-runtime';
import { existsSync } from 'node:fs';
// The services' own lists of what they read are the contract; the chart must stay inside them.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { AUTH_SETTING_NAMES } from '../../apps/auth-service/src/app/settings/auth-settings';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { GATEWAY_SETTING_NAMES } from '../../apps/gateway/src/app/settings/gateway-settings';
import { Container, exampleValues, render, Rendered } from './chart';
import { userObjects } from './fixtures';
import { httpGet, IMAGE_PATHS, imageWebRoot, LocalProcess, ObjectSource, startLocal, waitHealthy } from './local-pod';

/**
 * Every environment variable and flag the chart renders for a service must be one that
 * service reads (seed 003: a chart passing `--in-cluster-context-name` to a binary without it
 * crash-looped). Checked twice: against the services' setting lists, and by starting the
 * built services of this version with exactly what the chart renders.
 */

/** Read by the gateway for the in-cluster cluster; the kubelet sets them, the chart may override them. */
const GATEWAY_EXTRA_ENV = ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'];
/** Read by node itself and its C library (the V8 heap limit and malloc's thresholds, config.heapPercentage). */
const NODE_ENV = ['NODE_OPTIONS', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'];
/** The console process reads both services' settings by their own names (apps/console CONSOLE_SETTING_NAMES). */
const CONSOLE_SETTING_NAMES = [...new Set([...GATEWAY_SETTING_NAMES, ...AUTH_SETTING_NAMES])];
const SERVICES = {
  gateway: { settings: [...GATEWAY_SETTING_NAMES, ...GATEWAY_EXTRA_ENV, ...NODE_ENV], flags: GATEWAY_SETTING_NAMES.map(flagName) },
  'auth-service': { settings: [...AUTH_SETTING_NAMES, ...NODE_ENV], flags: AUTH_SETTING_NAMES.map(flagName) },
  console: { settings: [...CONSOLE_SETTING_NAMES, ...GATEWAY_EXTRA_ENV, ...NODE_ENV], flags: CONSOLE_SETTING_NAMES.map(flagName) },
} as const;
type ServiceName = keyof typeof SERVICES;

const examples = exampleValues();
const NAMESPACE = 'cairn';

function unknownSettings(service: ServiceName, container: Container): string[] {
  const { settings, flags } = SERVICES[service];
  const env = (container.env ?? []).map((e) => e.name).filter((n) => !(settings as readonly string[]).includes(n));
  const args = (container.args ?? []).filter((a) => !(flags as readonly string[]).includes(a.split('=')[0] as string));
  return [...env.map((n) => `env ${n}`), ...args.map((a) => `flag ${a}`)];
}

describe('the settings contract between the chart and the services', () => {
  const rendered = new Map<string, Rendered>();
  beforeAll(async () => {
    for (const e of examples) rendered.set(e.name, await render({ values: [e.file], namespace: NAMESPACE }));
  });

  it('every env var and flag rendered for either service is in that service’s own setting list', () => {
    const found: Record<string, string[]> = {};
    let checked = 0;
    for (const [name, r] of rendered) {
      for (const service of Object.keys(SERVICES) as ServiceName[]) {
        for (const container of r.containers(service)) {
          checked += (container.env?.length ?? 0) + (container.args?.length ?? 0);
          const unknown = unknownSettings(service, container);
          if (unknown.length) found[`${name}/${service}`] = unknown;
        }
      }
    }
    expect(found).toEqual({});
    expect(checked).toBeGreaterThan(160);
  });

  it('a flag or variable the services do not know is caught (the check itself works)', async () => {
    const r = await render({ set: ['config.extraArgs[0]=--no-such-flag=1'] });
    expect(unknownSettings('gateway', r.containers('gateway')[0] as Container)).toEqual(['flag --no-such-flag=1']);
    const one = await render({ set: ['allInOne=true', 'env[0].name=CAIRN_NO_SUCH_SETTING', 'env[0].value=yes'] });
    expect(unknownSettings('console', one.containers('console')[0] as Container)).toEqual(['env CAIRN_NO_SUCH_SETTING']);
  });

  describe('the built services of this version start with exactly what the chart renders', () => {
    const webRoot = imageWebRoot();
    const running: LocalProcess[] = [];
    afterEach(async () => {
      await Promise.all(running.splice(0).map((p) => p.stop()));
    });

    beforeAll(() => {
      for (const main of [IMAGE_PATHS.gatewayMain, IMAGE_PATHS.authMain, IMAGE_PATHS.consoleMain]) {
        if (!existsSync(main)) throw new Error(`${main} is missing: run through \`npx nx test deploy\`, which builds the services first`);
      }
    });

    it.each(examples.map((e) => e.name))('%s', async (name) => {
      const r = rendered.get(name) as Rendered;
      const source = new ObjectSource(r, userObjects(NAMESPACE));
      const pods = r.podSpecs().filter((p) => p.owner.kind === 'Deployment');
      const consolePod = pods.find((p) => p.spec.containers.some((c) => c.name === 'console'));
      if (consolePod) {
        // All in one: the one container is the whole console, on its one port.
        const one = startLocal({ service: 'console', container: consolePod.spec.containers.find((c) => c.name === 'console') as Container, pod: consolePod.spec, source, namespace: NAMESPACE, port: await freePort(), webRoot });
        running.push(one);
        const state = await waitHealthy(one);
        expect({ state, exitCode: one.exitCode(), output: state === 'healthy' ? '' : one.output().slice(-2000) }).toEqual({ state: 'healthy', exitCode: null, output: '' });
        expect((await httpGet(`${one.url}/auth/v1/version`)).status).toBe(200);
        return;
      }
      const gatewayPod = pods.find((p) => p.spec.containers.some((c) => c.name === 'gateway'));
      const authPod = pods.find((p) => p.spec.containers.some((c) => c.name === 'auth-service'));
      if (!gatewayPod || !authPod) throw new Error(`${name}: no gateway or auth-service pod rendered`);
      const ports = { gateway: await freePort(), auth: await freePort() };
      const gateway = startLocal({
        service: 'gateway',
        container: gatewayPod.spec.containers.find((c) => c.name === 'gateway') as Container,
        pod: gatewayPod.spec,
        source,
        namespace: NAMESPACE,
        port: ports.gateway,
        partnerUrl: `http://127.0.0.1:${ports.auth}`,
        webRoot,
      });
      const auth = startLocal({
        service: 'auth-service',
        container: authPod.spec.containers.find((c) => c.name === 'auth-service') as Container,
        pod: authPod.spec,
        source,
        namespace: NAMESPACE,
        port: ports.auth,
        partnerUrl: `http://127.0.0.1:${ports.gateway}`,
        webRoot,
      });
      running.push(gateway, auth);
      const states = await Promise.all([waitHealthy(gateway), waitHealthy(auth)]);
      const report = (p: LocalProcess, state: string) => ({ service: p.name, state, exitCode: p.exitCode(), output: state === 'healthy' ? '' : p.output().slice(-2000) });
      expect([report(gateway, states[0]), report(auth, states[1])]).toEqual([
        { service: gateway.name, state: 'healthy', exitCode: null, output: '' },
        { service: auth.name, state: 'healthy', exitCode: null, output: '' },
      ]);

      // Wired together as in the pod: the gateway forwards /auth/* to the auth service.
      const version = await httpGet(`${gateway.url}/auth/v1/version`);
      expect(version.status).toBe(200);
    });

    it('a flag the binary does not have stops it with exit code 2, naming the flag (seed 003)', async () => {
      const r = await render({ set: ['config.extraArgs[0]=--in-cluster-context=main'], namespace: NAMESPACE });
      const pod = r.podSpecs().find((p) => p.owner.kind === 'Deployment' && p.spec.containers.some((c) => c.name === 'gateway'));
      if (!pod) throw new Error('no gateway pod');
      const gateway = startLocal({
        service: 'gateway',
        container: pod.spec.containers[0] as Container,
        pod: pod.spec,
        source: new ObjectSource(r, userObjects(NAMESPACE)),
        namespace: NAMESPACE,
        port: await freePort(),
        partnerUrl: 'http://127.0.0.1:9',
        webRoot,
      });
      running.push(gateway);
      expect(await waitHealthy(gateway)).toBe('exited');
      expect(gateway.exitCode()).toBe(2);
      expect(gateway.output()).toContain('--in-cluster-context: is not a flag of this service');
    });
  });
});
