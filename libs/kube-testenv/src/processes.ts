import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Child processes of a development cluster. Each runs in its own process group with its
 * output in a log file; a small reaper process kills every group when the process that
 * started them dies without stopping them (a crashed or killed test runner), so no
 * kube-apiserver or etcd outlives its test.
 */

/**
 * A free TCP port on 127.0.0.1 for a server that binds it later (etcd, kube-apiserver, Keycloak
 * some 20 s after it was chosen), picked at random BELOW the kernel's ephemeral range
 * (`/proc/sys/net/ipv4/ip_local_port_range`, 32768–60999 by default) and checked free by binding
 * it. A port the kernel hands out (`listen(0)`) comes from that range, which every outgoing
 * connection and every other `listen(0)` on the machine also draws from: between choosing it and
 * the server binding it, another socket could take it ("Address already in use": Keycloak lost
 * its port that way while a browser suite ran). Falls back to the kernel's choice when the range
 * leaves no room below it, or after 50 ports found taken.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  if (low > FIXED_PORTS_FROM + 1000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = FIXED_PORTS_FROM + Math.floor(Math.random() * (low - FIXED_PORTS_FROM));
      if (await bindable(port)) return port;
    }
  }
  return bindable(0) as Promise<number>;
}

/** The lowest port freePort picks from: above the well-known and most registered services' ports. */
const FIXED_PORTS_FROM = 20000;

/** The first port of the kernel's ephemeral range (32768 when it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
}

/** Binds `port` on 127.0.0.1 and frees it again: the port bound (the kernel's choice for 0), or false when taken. */
function bindable(port: number): Promise<number | false> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', (err: NodeJS.ErrnoException) => (port !== 0 && (err.code === 'EADDRINUSE' || err.code === 'EACCES') ? resolve(false) : reject(err)));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface ManagedProcess {
  readonly name: string;
  readonly command: string;
  readonly args: string[];
  readonly logFile: string;
  readonly child: ChildProcess;
  /** Rejects when the process exits before `stop()` was called. */
  readonly exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

export class ProcessGroup {
  private readonly processes: ManagedProcess[] = [];
  private reaper: ChildProcess | undefined;

  constructor(
    private readonly pidFile: string,
    private readonly options: {
      /** A directory the reaper removes after killing everything (the cluster's temp dir). */
      removeOnReap?: string;
      /** The process whose death means "stop everything" (default: this process). */
      watchPid?: number;
    } = {},
  ) {
    writeFileSync(this.pidFile, '');
  }

  start(name: string, command: string, args: string[], options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): ManagedProcess {
    this.ensureReaper();
    const fd = openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    if (child.pid !== undefined) appendFileSync(this.pidFile, `${child.pid}\n`);
    let stopping = false;
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', (err) => reject(new Error(`${name} could not start (${command}): ${err.message}`)));
      child.once('exit', (code, signal) => {
        if (stopping) resolve(code);
        else reject(new Error(`${name} exited (${signal ?? `code ${code}`}); its log is ${options.logFile}:\n${tail(options.logFile)}`));
      });
    });
    exited.catch(() => undefined);
    const managed: ManagedProcess = {
      name,
      command,
      args,
      logFile: options.logFile,
      child,
      exited,
      stop: async (graceMs = 5000) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        killGroup(child.pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
        await done;
        clearTimeout(timer);
        // Whatever the main process left behind in its group goes too.
        killGroup(child.pid, 'SIGKILL');
      },
    };
    this.processes.push(managed);
    return managed;
  }

  /** Stops one process and starts it again with the same command line; returns the new one. */
  async restart(name: string, options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ManagedProcess> {
    const index = this.processes.findIndex((p) => p.name === name);
    const old = this.processes[index];
    if (!old) throw new Error(`no process named ${name}`);
    await old.stop();
    this.processes.splice(index, 1);
    const fresh = this.start(name, old.command, old.args, { logFile: old.logFile, ...options });
    // Keep the stop order: the new process stands where the old one stood.
    this.processes.splice(this.processes.indexOf(fresh), 1);
    this.processes.splice(index, 0, fresh);
    return fresh;
  }

  /** Process ids of everything started and not yet stopped. */
  pids(): number[] {
    return this.processes.flatMap((p) => (p.child.pid === undefined ? [] : [p.child.pid]));
  }

  /** Stops processes in reverse start order, then the reaper. */
  async stopAll(): Promise<void> {
    for (const p of [...this.processes].reverse()) await p.stop();
    this.processes.length = 0;
    this.stopReaper();
  }

  /** Last-resort synchronous kill, for `process.on('exit')`. */
  killAllNow(): void {
    for (const p of this.processes) killGroup(p.child.pid, 'SIGKILL');
    this.stopReaper();
  }

  private ensureReaper(): void {
    if (this.reaper) return;
    this.reaper = spawn(process.execPath, ['-e', REAPER_SOURCE, String(this.options.watchPid ?? process.pid), this.pidFile, this.options.removeOnReap ?? ''], {
      detached: true,
      stdio: 'ignore',
    });
    this.reaper.unref();
  }

  private stopReaper(): void {
    if (this.reaper?.pid !== undefined) killGroup(this.reaper.pid, 'SIGKILL');
    this.reaper = undefined;
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Runs detached. Polls the parent; once it is gone, kills every process group listed in
 * the pid file (SIGTERM, then SIGKILL) and removes the cluster directory.
 */
const REAPER_SOURCE = `
const fs = require('node:fs');
const [parent, pidFile, removeDir] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const groups = () => { try { return fs.readFileSync(pidFile, 'utf8').split('\\n').filter(Boolean).map(Number); } catch { return []; } };
const kill = (sig) => { for (const pid of groups()) { try { process.kill(-pid, sig); } catch {} } };
const timer = setInterval(() => {
  if (alive(Number(parent))) return;
  clearInterval(timer);
  kill('SIGTERM');
  setTimeout(() => {
    kill('SIGKILL');
    if (removeDir) { try { fs.rmSync(removeDir, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, 3000);
}, 500);
`;
