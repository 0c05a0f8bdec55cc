import { createServer, type AddressInfo, type Server } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ProcessGroup } from './processes';

/** Whether `pid` still runs: a zombie (killed, not yet reaped by an init that may never reap it) does not. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('ProcessGroup', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cairn-processes-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stops what it started, children of children included', async () => {
    const group = new ProcessGroup(join(dir, 'pids'));
    const p = group.start('shell', 'bash', ['-c', 'sleep 300 & echo $! > ' + join(dir, 'grandchild') + '; wait'], { logFile: join(dir, 'shell.log') });
    await eventually(() => existsSync(join(dir, 'grandchild')), 5000);
    const grandchild = Number(readFileSync(join(dir, 'grandchild'), 'utf8'));
    await group.stopAll();
    expect(alive(p.child.pid as number)).toBe(false);
    expect(await eventually(() => !alive(grandchild), 2000)).toBe(true);
  });

  it('reports a process that dies on its own, with the end of its log', async () => {
    const group = new ProcessGroup(join(dir, 'pids'));
    const p = group.start('failing', 'bash', ['-c', 'echo "bad flag --nope"; exit 3'], { logFile: join(dir, 'failing.log') });
    await expect(p.exited).rejects.toThrow(/failing exited \(code 3\).*\n.*bad flag --nope/);
    await group.stopAll();
  });

  it('has its reaper kill everything when the watched process dies without stopping them', async () => {
    const parent = spawn('sleep', ['300'], { stdio: 'ignore' });
    const group = new ProcessGroup(join(dir, 'pids'), { watchPid: parent.pid });
    const p = group.start('orphan', 'sleep', ['300'], { logFile: join(dir, 'orphan.log') });
    expect(alive(p.child.pid as number)).toBe(true);
    parent.kill('SIGKILL');
    expect(await eventually(() => !alive(p.child.pid as number) || p.child.exitCode !== null || p.child.signalCode !== null, 10_000)).toBe(true);
    await group.stopAll();
  });

  it('hands out free ports on 127.0.0.1: each can be listened on there, and a port in use is not handed out', async () => {
    const held: Server[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const port = await freePort();
        expect(port).toBeGreaterThan(1023);
        // Free: a server can listen on it at 127.0.0.1 (the listen fails with EADDRINUSE otherwise).
        const server = createServer();
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
        held.push(server);
      }
      const ports = held.map((s) => (s.address() as AddressInfo).port);
      expect(new Set(ports).size).toBe(ports.length);
      for (const s of held) expect((s.address() as AddressInfo).address).toBe('127.0.0.1');
    } finally {
      await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
    }
  });
});
