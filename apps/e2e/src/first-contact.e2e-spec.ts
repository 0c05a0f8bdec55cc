import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@cairn/kube-testenv';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshot } from './support/browser';
import { freePort } from './support/console-under-test';

/**
 * A new user's first contact, with the README's own commands as written: `npm start` starts
 * the console on the development cluster, a signed-out visitor of `/` is sent to sign in, and
 * a team works on its remote alone with `npx nx serve mfe-logs` against that running console.
 * The commands run exactly as a person types them (through npm and nx), on free ports.
 */
describe("a new user's first contact: the README's commands", () => {
  const root = repoRoot();
  let dir: string;
  let browser: Browser;
  let consolePort: number;
  let remotePort: number;
  let consoleUrl: string;
  let remoteUrl: string;
  let start: Command | undefined;
  let remote: Command | undefined;
  let signedIn: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-first-contact-'));
    [consolePort, remotePort] = [await freePort(), await freePort()];
    consoleUrl = `http://localhost:${consolePort}`;
    remoteUrl = `http://localhost:${remotePort}`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await remote?.stop('SIGTERM');
    await start?.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    if (page && !page.isClosed()) await screenshot(page, `first-contact-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}`);
  });

  it('npx nx serve mfe-logs, with no console running yet, says what to start instead of a blank page', async () => {
    remote = run('npx', ['nx', 'serve', 'mfe-logs', `--port=${remotePort}`], { CAIRN_CONSOLE_URL: consoleUrl });
    await remote.waitFor(new RegExp(`localhost:${remotePort}`), 240_000);
    page = await browser.newPage();
    await page.goto(`${remoteUrl}/`);
    await page.getByRole('heading', { name: 'No console answers behind this dev server' }).waitFor();
    expect(await page.locator('cairn-root').innerText()).toContain('Start the console with npm start in another terminal');
    // The remote's own path, as inside the console.
    expect(new URL(page.url()).pathname).toBe('/logs');
    await page.close();
  }, 300_000);

  it('npm start builds, starts the development cluster and the console, and says where it is ready', async () => {
    start = run('npm', ['start'], { CAIRN_PORT: String(consolePort), CAIRN_AUTH_PORT: String(await freePort()), CAIRN_DEV_CLUSTER_DIR: join(dir, 'dev-cluster') });
    await start.waitFor(new RegExp(`Cairn is ready: http://localhost:${consolePort}`), 480_000);
    expect(start.output()).toContain('no kubeconfig configured: starting the development cluster');
    expect((await fetch(`${consoleUrl}/readyz`)).status).toBe(200);
  }, 500_000);

  it('a signed-out visitor of / lands on the sign-in page, signs in with the provider and is back on the home page', async () => {
    // The dev provider's certificate comes from the cluster's own CA, which this browser does not know.
    signedIn = await browser.newContext({ viewport: { width: 1280, height: 800 }, ignoreHTTPSErrors: true });
    page = await signedIn.newPage();
    await page.goto(`${consoleUrl}/`);
    await page.waitForURL(`${consoleUrl}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in to Cairn' }).waitFor();
    await page.getByRole('link', { name: 'Sign in with Cairn dev' }).click();
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('admin-dev-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your clusters' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.locator('cairn-user-menu').getByRole('button', { name: 'admin@cairn.test' }).waitFor();
  });

  it('the remote served alone asks a visitor without a session to sign in to the console first', async () => {
    const stranger = await browser.newContext();
    page = await stranger.newPage();
    await page.goto(`${remoteUrl}/logs`);
    await page.getByRole('heading', { name: 'Sign in to the console first' }).waitFor();
    expect(await page.getByRole('link', { name: consoleUrl }).getAttribute('href')).toBe(consoleUrl);
    await stranger.close();
  });

  it('the remote served alone works with the console session: it lists the pods and follows a log', async () => {
    page = await signedIn.newPage();
    await page.goto(`${remoteUrl}/logs?cluster=cairn-dev&ns=team-a`);
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    expect(await page.locator('.bar').innerText()).toContain('admin@cairn.test');
    const web = page.locator('option[value^="p:web-"]').first();
    await web.waitFor({ state: 'attached' });
    await page.getByRole('combobox', { name: 'Source' }).selectOption((await web.getAttribute('value')) as string);
    await page.getByRole('combobox', { name: 'Container' }).selectOption('web');
    await page.locator('cairn-log-viewport .line').first().waitFor();
    expect(await page.getByRole('status').first().textContent()).toContain('Following');
    // A link to another module is not served here: the page points to the console instead.
    await page.goto(`${remoteUrl}/workloads/deployments`);
    await page.getByRole('heading', { name: 'This page belongs to another part of the console' }).waitFor();
    expect(await page.getByRole('link', { name: '/workloads/deployments' }).getAttribute('href')).toBe(`${consoleUrl}/workloads/deployments`);
  });

  it('Ctrl-C stops npm start: the console and the development cluster are gone', async () => {
    const apiServer = new URL((JSON.parse(readFileSync(join(dir, 'dev-cluster', 'cluster.json'), 'utf8')) as { server: string }).server);
    expect(await listening(Number(apiServer.port))).toBe(true);
    const code = await start?.stop('SIGINT');
    start = undefined;
    // npm itself ends by the signal; the console below it stops cleanly.
    expect([0, 'SIGINT']).toContain(code);
    expect(await listening(consolePort)).toBe(false);
    expect(await listening(Number(apiServer.port))).toBe(false);
  }, 120_000);

  it('npm run cluster prints how to use the cluster; its kubectl line works as printed; Ctrl-C stops it', async () => {
    const clusterDir = join(dir, 'cluster');
    const cluster = run('npm', ['run', 'cluster', '--', '--dir', clusterDir, '--nodes', '1'], {});
    try {
      await cluster.waitFor(/kube-testenv: ready/, 240_000);
      const kubeconfig = /export KUBECONFIG=(\S+)/.exec(cluster.output())?.[1] as string;
      const kubectl = /kubectl +(\S+\/kubectl) get pods -A/.exec(cluster.output())?.[1] as string;
      const pods = await new Promise<string>((resolve, reject) => {
        const child = spawn(kubectl, ['get', 'deployments', '-n', 'team-a', '-o', 'name'], { env: { ...process.env, KUBECONFIG: kubeconfig } });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl exited ${code}`))));
      });
      expect(pods).toMatch(/^deployment.apps\/web$/m);
    } finally {
      expect([0, 'SIGINT']).toContain(await cluster.stop('SIGINT'));
    }
    const server = new URL((JSON.parse(readFileSync(join(clusterDir, 'cluster.json'), 'utf8')) as { server: string }).server);
    expect(await listening(Number(server.port))).toBe(false);
  }, 300_000);

  interface Command {
    waitFor(line: RegExp, timeoutMs: number): Promise<void>;
    output(): string;
    /**
     * Sends `signal` to the whole process group, as a terminal's Ctrl-C does, and resolves with
     * the exit code, or the signal when the command (npm itself, on Ctrl-C) ended by it.
     */
    stop(signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
  }

  /** Runs a command in the repository as a person would type it, in its own process group. */
  function run(command: string, args: string[], env: Record<string, string>): Command {
    const child: ChildProcess = spawn(command, args, {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', ...env },
    });
    let text = '';
    const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return {
      output: () => text,
      waitFor: async (line, timeoutMs) => {
        const deadline = Date.now() + timeoutMs;
        // eslint-disable-next-line no-control-regex
        const plain = () => text.replace(/\u001b\[[0-9;]*m/g, '');
        while (!line.test(plain())) {
          if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited (${child.exitCode}) before printing ${line}:\n${plain().slice(-3000)}`);
          if (Date.now() > deadline) throw new Error(`${command} ${args.join(' ')} did not print ${line} within ${timeoutMs / 1000} s:\n${plain().slice(-3000)}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      },
      stop: async (signal) => {
        if (child.exitCode === null && child.signalCode === null) {
          try {
            process.kill(-(child.pid as number), signal);
          } catch {
            // already gone
          }
          const force = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 60_000);
          const code = await exited;
          clearTimeout(force);
          child.stdout?.destroy();
          child.stderr?.destroy();
          return code;
        }
        return child.exitCode ?? child.signalCode;
      },
    };
  }
});

/** Whether something accepts connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
