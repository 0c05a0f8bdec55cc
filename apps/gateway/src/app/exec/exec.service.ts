import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { EXEC_CLOSE, EXEC_STDERR, EXEC_STDOUT, ExecClientMessage, ExecServerMessage } from '@cairn/api-contracts';
import type { ExecQuery } from '@cairn/api-contracts/requests';
import { AuditRecord } from '../edge/audit';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';

/** The API server's channel protocols, newest first (v5 adds the close channel; v4 carries the exit status as JSON). */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const RESIZE = 4;
/** Largest frame either side may send: keystrokes and pastes are small; a bigger frame ends the session. */
const MAX_FRAME_BYTES = 1024 * 1024;

export interface ExecTarget {
  cluster: string;
  namespace: string;
  pod: string;
}

/** A session the edge has accepted: the caller is known and counted, the audit line names them. */
export interface ExecTicket {
  caller: Caller;
  audit: AuditRecord;
  target: ExecTarget;
  query: ExecQuery;
  /** `exec` runs `query.command`; `attach` joins the container's main process (no command). */
  mode: 'exec' | 'attach';
  release(): void;
}

/**
 * Terminals: a browser's WebSocket bridged to the API server's `pods/exec` WebSocket, opened
 * with the caller's own credential (KubeService.openWebSocket).
 *
 * Why the `ws` package and not @kubernetes/client-node's `Exec`/`WebSocketHandler`: those take a
 * whole KubeConfig (a user and a cluster) per connection and hand back Node streams; the
 * gateway keeps client-node out of its process (it loads kubeconfigs in a child, see
 * settings), holds each caller's bearer only for the request, and needs the raw frames to
 * bound and pause the output. The protocol is small enough to speak directly: channel 0 is
 * stdin, 1 stdout, 2 stderr, 3 the final Status (JSON), 4 a resize `{Width, Height}`.
 *
 * Bounds: CAIRN_MAX_EXEC_SESSIONS_PER_USER open terminals per identity (a 429 past it);
 * CAIRN_EXEC_IDLE_SECONDS with nothing typed and nothing printed closes the session;
 * CAIRN_MAX_EXEC_BUFFER_BYTES of output waiting for a browser that does not read pauses
 * reading from the API server (the process blocks on its output, as on a real terminal).
 * Every start and end writes an audit line (logger `Audit`).
 */
@Injectable()
export class ExecService {
  private readonly logger = new Logger('Audit');
  private readonly sessions = new Map<string, number>();
  /** Sessions whose upstream is paused now because their browser does not read. */
  private paused = 0;

  constructor(private readonly kube: KubeService) {}

  /** Terminals whose output is paused now, waiting for their browser to read (for tests and metrics). */
  pausedSessions(): number {
    return this.paused;
  }

  /** Open terminals of `identity` (for tests and metrics). */
  openSessions(identity?: string): number {
    if (identity) return this.sessions.get(identity) ?? 0;
    let n = 0;
    for (const v of this.sessions.values()) n += v;
    return n;
  }

  /**
   * Before the upgrade: who is asking (401 without credentials; on a user-added cluster, a
   * signed-in user with its entry, see exec.route's `adoptEntryProtocol`), within the sessions
   * bound (429). The ticket holds the session's slot until it is released.
   */
  async admit(request: FastifyRequest, target: ExecTarget, query: ExecQuery, mode: 'exec' | 'attach' = 'exec'): Promise<ExecTicket> {
    const audit = new AuditRecord();
    const caller = await this.kube.changer(request, target.cluster, audit);
    audit.describe(mode, `pods/${target.namespace}/${target.pod}`);
    const limit = this.kube.limits.execSessionsPerUser;
    const open = this.sessions.get(caller.identity) ?? 0;
    if (open >= limit) {
      this.write(audit, query, { result: 'refused', status: 429 });
      throw new HttpException(`You have ${open} terminals open, the most this console allows (CAIRN_MAX_EXEC_SESSIONS_PER_USER=${limit}); close one first.`, HttpStatus.TOO_MANY_REQUESTS);
    }
    this.sessions.set(caller.identity, open + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.sessions.get(caller.identity) ?? 1) - 1;
      if (left > 0) this.sessions.set(caller.identity, left);
      else this.sessions.delete(caller.identity);
    };
    return { caller, audit, target, query, mode, release };
  }

  /** After the upgrade: opens the process upstream and bridges the two sockets until either ends. */
  async run(browser: WebSocket, ticket: ExecTicket): Promise<void> {
    const { caller, audit, target, query, mode } = ticket;
    const started = Date.now();
    const send = (message: ExecServerMessage) => {
      if (browser.readyState === browser.OPEN) browser.send(JSON.stringify(message));
    };
    // Keystrokes typed before the API server answered are kept (bounded) and sent once it has.
    const early: Buffer[] = [];
    let earlyBytes = 0;
    let closedEarly = false;
    const onEarly = (data: RawData, isBinary: boolean) => {
      const buf = toBuffer(data);
      earlyBytes += buf.length;
      if (earlyBytes <= 64 * 1024) early.push(Buffer.concat([Buffer.from([isBinary ? 1 : 0]), buf]));
    };
    browser.on('message', onEarly);
    // A browser that leaves while the API server is dialled drops the dial (a cluster that never answers would hold it 30 s).
    const leaving = new AbortController();
    browser.once('close', () => {
      closedEarly = true;
      leaving.abort();
    });

    // An attach defaults to watching the output: a container's stdin and terminal exist only
    // when its spec asks for them (`stdin`, `tty`), and the API server refuses them otherwise.
    const tty = query.tty ?? mode === 'exec';
    const params = new URLSearchParams();
    for (const word of query.command) params.append('command', word);
    if (query.container) params.set('container', query.container);
    params.set('stdin', String(mode === 'exec' || tty));
    params.set('stdout', 'true');
    params.set('stderr', String(!tty));
    params.set('tty', String(tty));
    const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/${mode}?${params}`;

    let upstream: WebSocket;
    try {
      upstream = await this.kube.openWebSocket(target.cluster, caller, path, EXEC_PROTOCOLS, MAX_FRAME_BYTES, leaving.signal);
    } catch (err) {
      if (closedEarly) {
        this.write(audit, query, { result: 'ended', exitCode: null, reason: 'the browser left before the process started', seconds: 0 });
        ticket.release();
        return;
      }
      const status = err instanceof HttpException ? err.getStatus() : 502;
      const message = err instanceof HttpException ? err.message : 'The terminal could not be opened.';
      this.write(audit, query, { result: 'refused', status });
      send({ type: 'error', status, message });
      browser.close(EXEC_CLOSE.refused, reason(message));
      ticket.release();
      return;
    }
    if (closedEarly) {
      upstream.close();
      this.write(audit, query, { result: 'ended', exitCode: null, reason: 'the browser left before the process started', seconds: 0 });
      ticket.release();
      return;
    }
    this.write(audit, query, { result: 'started' });
    send({ type: 'started', protocol: upstream.protocol });

    let exit: { code: number | null; message?: string } | undefined;
    let endReason = 'the browser closed the terminal';
    let idleTimer: NodeJS.Timeout | undefined;
    const idleMs = this.kube.limits.execIdleSeconds * 1000;
    const touch = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        endReason = `idle for ${this.kube.limits.execIdleSeconds} s`;
        send({ type: 'error', status: 408, message: `The terminal was closed after ${this.kube.limits.execIdleSeconds} s with nothing typed or printed (CAIRN_EXEC_IDLE_SECONDS).` });
        browser.close(EXEC_CLOSE.idle, 'idle');
        upstream.close();
      }, idleMs);
      idleTimer.unref?.();
    };
    touch();

    // A browser that does not read: stop reading the API server until it has caught up.
    const bufferLimit = this.kube.limits.execBufferBytes;
    let drainTimer: NodeJS.Timeout | undefined;
    const throttle = () => {
      if (browser.bufferedAmount <= bufferLimit || drainTimer) return;
      upstream.pause();
      this.paused++;
      drainTimer = setInterval(() => {
        if (browser.readyState !== browser.OPEN || browser.bufferedAmount <= bufferLimit / 2) {
          clearInterval(drainTimer);
          drainTimer = undefined;
          this.paused--;
          upstream.resume();
        }
      }, 50);
    };

    const toUpstream = (data: RawData, isBinary: boolean) => {
      touch();
      const buf = toBuffer(data);
      if (isBinary) {
        if (upstream.readyState === upstream.OPEN) upstream.send(Buffer.concat([Buffer.from([STDIN]), buf]));
        return;
      }
      let message: ExecClientMessage | undefined;
      try {
        message = JSON.parse(buf.toString('utf8')) as ExecClientMessage;
      } catch {
        return;
      }
      if (message?.type === 'resize' && isDimension(message.cols) && isDimension(message.rows) && upstream.readyState === upstream.OPEN) {
        upstream.send(Buffer.concat([Buffer.from([RESIZE]), Buffer.from(JSON.stringify({ Width: message.cols, Height: message.rows }))]));
      }
    };
    browser.off('message', onEarly);
    browser.on('message', toUpstream);
    for (const frame of early) toUpstream(frame.subarray(1), frame[0] === 1);

    upstream.on('message', (data: RawData) => {
      const buf = toBuffer(data);
      if (!buf.length) return;
      const channel = buf[0];
      const payload = buf.subarray(1);
      if (channel === STDOUT || channel === STDERR) {
        if (!payload.length) return;
        touch();
        if (browser.readyState === browser.OPEN) {
          browser.send(Buffer.concat([Buffer.from([channel === STDOUT ? EXEC_STDOUT : EXEC_STDERR]), payload]));
          throttle();
        }
      } else if (channel === STATUS) {
        exit = exitOf(payload.toString('utf8'));
      }
    });

    await new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(idleTimer);
        if (drainTimer) this.paused--;
        clearInterval(drainTimer);
        drainTimer = undefined;
        resolve();
      };
      upstream.once('close', () => {
        if (exit) {
          endReason = 'the process ended';
          send({ type: 'exit', code: exit.code ?? -1, ...(exit.message ? { message: exit.message } : {}) });
          browser.close(EXEC_CLOSE.exited);
        } else if (browser.readyState === browser.OPEN) {
          endReason = 'the API server ended the session without an exit status';
          send({ type: 'error', status: 502, message: 'The cluster ended the terminal without an exit status.' });
          browser.close(EXEC_CLOSE.upstream, 'upstream closed');
        }
        finish();
      });
      upstream.on('error', () => upstream.terminate());
      browser.once('close', () => {
        if (upstream.readyState === upstream.OPEN || upstream.readyState === upstream.CONNECTING) upstream.close();
        // The API server normally answers a close at once; never wait on it for long.
        setTimeout(() => {
          upstream.terminate();
          finish();
        }, 2000).unref?.();
      });
    });
    ticket.release();
    this.write(audit, query, { result: 'ended', exitCode: exit?.code ?? null, reason: endReason, seconds: Math.round((Date.now() - started) / 1000) });
  }

  /** One audit line, in the format of every change's (`AuditInterceptor`), with the terminal's facts. */
  private write(audit: AuditRecord, query: ExecQuery, outcome: Record<string, unknown>): void {
    this.logger.log(
      JSON.stringify({
        audit: true,
        who: audit.who ?? 'unknown',
        cluster: audit.cluster,
        ...(audit.as ? { as: audit.as } : {}),
        action: audit.action ?? 'exec',
        target: audit.target,
        container: query.container ?? null,
        ...(query.command.length ? { command: query.command } : {}),
        tty: query.tty ?? audit.action === 'exec',
        ...outcome,
      }),
    );
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function isDimension(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 10_000;
}

/** A close frame's reason may hold at most 123 bytes. */
function reason(message: string): string {
  const b = Buffer.from(message);
  return b.length <= 120 ? message : `${b.subarray(0, 117).toString('utf8').replace(/\uFFFD$/, '')}...`;
}

/**
 * The exit of the process from the API server's final Status: `Success` is 0; a
 * `NonZeroExitCode` failure names the code in its `ExitCode` cause. Runtimes that report the
 * code only in the message (kwok: "… exit status 3") are read from it; any other failure
 * (the command not found, the container gone) has no code, and its message says why.
 */
export function exitOf(text: string): { code: number | null; message?: string } {
  let status: { status?: string; message?: string; reason?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } };
  try {
    status = JSON.parse(text);
  } catch {
    return { code: null, message: text.slice(0, 500) };
  }
  if (status.status === 'Success') return { code: 0 };
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const fromCause = cause?.message !== undefined ? Number(cause.message) : NaN;
  if (Number.isInteger(fromCause)) return { code: fromCause, message: status.message };
  const fromMessage = /exit status (\d{1,3})\s*$/.exec(status.message ?? '');
  if (fromMessage) return { code: Number(fromMessage[1]), message: status.message };
  return { code: null, message: status.message?.slice(0, 500) ?? status.reason ?? 'the process failed' };
}
