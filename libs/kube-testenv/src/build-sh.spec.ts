import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries, repoRoot } from './binaries';

/**
 * tools/kube-testenv/build.sh as a new machine runs it (cold), as a second run finds it
 * (cache hit), and when a build fails or is interrupted: each must end with the right exit
 * status and message. A stand-in `go` (build-sh-fixture/go) answers the script's queries and
 * writes small executables, so this takes seconds instead of compiling Kubernetes.
 */
const script = join(repoRoot(), 'tools', 'kube-testenv', 'build.sh');
const binaries = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok', 'helm'];

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}


/** How long the stand-in compiler hangs: 300 s, with this process's id as decimals (unique per run). */
const HANG_SECONDS = `300.${process.pid}`;
describe('tools/kube-testenv/build.sh', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let cacheRoot: string;
  let goLog: string;
  let hangMark: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-build-sh-'));
    const fakeBin = join(dir, 'fake-bin');
    mkdirSync(fakeBin);
    copyFileSync(join(__dirname, 'build-sh-fixture', 'go'), join(fakeBin, 'go'));
    chmodSync(join(fakeBin, 'go'), 0o755);
    // kwok's module as `go list -m -f {{.Dir}}` would show it: stage configs, plus files the script must not copy.
    const kwokModule = join(dir, 'kwok-module');
    mkdirSync(join(kwokModule, 'kustomize', 'stage', 'pod', 'fast'), { recursive: true });
    mkdirSync(join(kwokModule, 'kustomize', 'stage', 'pod', 'fast', 'testdata'), { recursive: true });
    writeFileSync(join(kwokModule, 'kustomize', 'stage', 'pod', 'fast', 'pod-ready.yaml'), 'kind: Stage\n');
    writeFileSync(join(kwokModule, 'kustomize', 'stage', 'pod', 'fast', 'kustomization.yaml'), 'resources: []\n');
    writeFileSync(join(kwokModule, 'kustomize', 'stage', 'pod', 'fast', 'testdata', 'ignored.yaml'), 'x: 1\n');
    cacheRoot = join(dir, 'cache');
    goLog = join(dir, 'go.log');
    hangMark = join(dir, 'hanging');
    env = {
      PATH: `${fakeBin}:${process.env['PATH']}`,
      HOME: join(dir, 'home'),
      CAIRN_KUBE_CACHE: cacheRoot,
      CAIRN_KUBE_NICE: '0',
      FAKE_GO_MODDIR: kwokModule,
      FAKE_GO_LOG: goLog,
      FAKE_GO_HANG_MARK: hangMark,
      // A duration no other run on this machine uses, so the check below finds only this run's stand-in.
      FAKE_GO_HANG_SECONDS: HANG_SECONDS,
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(extraEnv: NodeJS.ProcessEnv = {}, interruptWith?: NodeJS.Signals, args: string[] = []): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn('bash', [script, ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      let poll: NodeJS.Timeout | undefined;
      if (interruptWith) {
        // Interrupt only once the build is really running (the stand-in marks it), as Ctrl-C would.
        poll = setInterval(() => {
          if (existsSync(hangMark)) {
            clearInterval(poll);
            child.kill(interruptWith);
          }
        }, 50);
      }
      child.on('close', (status, signal) => {
        clearInterval(poll);
        resolve({ status, signal, stdout, stderr });
      });
    });
  }
  const cacheEntries = () => (existsSync(cacheRoot) ? readdirSync(cacheRoot).filter((name) => !name.endsWith('.lock')) : []);
  const builds = () => readFileSync(goLog, 'utf8').split('\n').filter((line) => line.startsWith('build '));

  it('cold: builds every binary, exits 0, and prints the bin dir as its last stdout line', async () => {
    const result = await run();
    expect(result.stderr).toContain('cold build of k8s-v');
    expect(result.status).toBe(0);
    const binDir = result.stdout.trim().split('\n').pop() as string;
    expect(binDir).toMatch(new RegExp(`^${cacheRoot}/k8s-v1\\.36\\.\\d+-[0-9a-f]{16}/bin$`));
    for (const name of binaries) expect(existsSync(join(binDir, name))).toBe(true);
    expect(result.stderr).toContain(`built ${binaries.length} binaries in`);
    expect(readFileSync(join(binDir, '..', 'versions.txt'), 'utf8')).toContain('kubernetes=v1.36.');
    // Stage configs are copied with their folders; kustomizations and testdata are not.
    const stages = join(binDir, '..', 'kwok-stages', 'pod', 'fast');
    expect(readdirSync(stages)).toEqual(['pod-ready.yaml']);
    // Nothing left behind but the published key dir.
    expect(cacheEntries()).toEqual([binDir.split('/').slice(-2)[0]]);
  });

  it('older: builds only the older kube-apiserver (providerless) into its own key dir, beside the current one', async () => {
    const current = await run();
    expect(current.status).toBe(0);
    const older = await run({}, undefined, ['older']);
    expect(older.status).toBe(0);
    const binDir = older.stdout.trim().split('\n').pop() as string;
    expect(binDir).toMatch(new RegExp(`^${cacheRoot}/k8s-v1\\.29\\.\\d+-[0-9a-f]{16}/bin$`));
    expect(readdirSync(binDir)).toEqual(['kube-apiserver']);
    expect(builds().filter((line) => line.includes('-tags providerless'))).toHaveLength(1);
    expect(readFileSync(join(binDir, '..', 'versions.txt'), 'utf8')).toContain('kubernetes=v1.29.');
    // The current set's cache is untouched and still a hit.
    expect(cacheEntries().sort()).toEqual([current.stdout.trim().split('\n').pop()?.split('/').slice(-2)[0], binDir.split('/').slice(-2)[0]].sort());
    expect((await run()).stderr).toContain('cache hit');
    expect((await run({}, undefined, ['older'])).stderr).toContain('cache hit');
    expect((await run({}, undefined, ['newest'])).status).toBe(2);
  });

  it('metrics: builds only metrics-server into its own key dir, and leaves the current set\u2019s cache a hit', async () => {
    const current = await run();
    expect(current.status).toBe(0);
    const metrics = await run({}, undefined, ['metrics']);
    expect(metrics.status).toBe(0);
    const binDir = metrics.stdout.trim().split('\n').pop() as string;
    expect(binDir).toMatch(new RegExp(`^${cacheRoot}/metrics-server-v\\d+\\.\\d+\\.\\d+-[0-9a-f]{16}/bin$`));
    expect(readdirSync(binDir)).toEqual(['metrics-server']);
    expect(builds().filter((line) => line.endsWith('sigs.k8s.io/metrics-server/cmd/metrics-server'))).toHaveLength(1);
    expect(builds().find((line) => line.endsWith('/cmd/metrics-server'))).toContain('-X k8s.io/client-go/pkg/version.gitVersion=v');
    expect(readFileSync(join(binDir, '..', 'versions.txt'), 'utf8')).toMatch(/^metrics-server=v\d/m);
    expect((await run()).stderr).toContain('cache hit');
    expect((await run({}, undefined, ['metrics'])).stderr).toContain('cache hit');
  });

  it('cache hit: a second run builds nothing, exits 0 and prints the same bin dir', async () => {
    const cold = await run();
    expect(cold.status).toBe(0);
    const buildsBefore = builds().length;
    const warm = await run();
    expect(warm.status).toBe(0);
    expect(warm.stderr).toContain('cache hit');
    expect(warm.stdout.trim()).toBe(cold.stdout.trim().split('\n').pop());
    expect(builds().length).toBe(buildsBefore);
  });

  it('a failed build exits 1, names the step, and adds nothing to the cache', async () => {
    const result = await run({ FAKE_GO_FAIL: 'cmd/kube-scheduler' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('stand-in compiler error');
    expect(result.stderr).toMatch(/\[4\/8\] building kube-scheduler v1\.36\.\d+ FAILED after \d+s/);
    expect(result.stdout).toBe('');
    expect(cacheEntries()).toEqual([]);
    // The next run starts again rather than trusting a half-built cache.
    const retry = await run();
    expect(retry.status).toBe(0);
    expect(retry.stderr).toContain('cold build');
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('an interrupted build (%s) exits %i, stops the compiler, and adds nothing to the cache', async (signal, status) => {
    const result = await run({ FAKE_GO_HANG: 'cmd/kube-apiserver' }, signal);
    expect(result.status).toBe(status);
    expect(result.stderr).toContain('interrupted; nothing was added to the cache');
    expect(result.stdout).toBe('');
    expect(cacheEntries()).toEqual([]);
    // The stand-in compiler (`sleep`) was told to stop too: nothing still runs from this build.
    const stillRunning = await new Promise<string>((resolve) => {
      const ps = spawn('pgrep', ['-f', `sleep ${HANG_SECONDS}`], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      ps.stdout.on('data', (chunk) => (out += chunk));
      ps.on('close', () => resolve(out.trim()));
    });
    expect(stillRunning).toBe('');
  });

  it('ensureBinaries (what npm start and the tests call) resolves after a cold build and says why when one fails', async () => {
    const built = await ensureBinaries(undefined, env);
    expect(existsSync(built.bin('kube-apiserver'))).toBe(true);
    expect(built.stagesDir).toBe(join(built.binDir, '..', 'kwok-stages'));

    rmSync(cacheRoot, { recursive: true });
    await expect(ensureBinaries(undefined, { ...env, FAKE_GO_FAIL: 'cmd/kwok' })).rejects.toThrow(/building the control plane failed[\s\S]*building kwok v1\.0\.0 FAILED/);
  });
});
