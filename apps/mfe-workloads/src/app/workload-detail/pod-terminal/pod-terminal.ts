import { ChangeDetectionStrategy, Component, computed, DestroyRef, ElementRef, inject, input, linkedSignal, signal, viewChild, ViewEncapsulation, afterNextRender } from '@angular/core';
import { EXEC_CLOSE, EXEC_SHELLS, ExecServerMessage } from '@cairn/api-contracts';
import { ApiClient } from '@cairn/data-access';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { commandWords } from './command-words';

/** What the terminal is doing, in words for the status line. */
type State = { kind: 'idle' } | { kind: 'connecting' } | { kind: 'running' } | { kind: 'exited'; code: number; message?: string } | { kind: 'failed'; message: string };

/** The phone key row: what each key sends (Ctrl is a one-shot modifier for the next key). */
const KEYS: ReadonlyArray<{ label: string; name: string; send: string }> = [
  { label: 'Esc', name: 'Escape', send: '\u001b' },
  { label: 'Tab', name: 'Tab', send: '\t' },
  { label: '←', name: 'Left arrow', send: '\u001b[D' },
  { label: '↑', name: 'Up arrow', send: '\u001b[A' },
  { label: '↓', name: 'Down arrow', send: '\u001b[B' },
  { label: '→', name: 'Right arrow', send: '\u001b[C' },
];


/**
 * A terminal on one of a pod's containers (xterm.js), through the gateway's exec WebSocket:
 * the gateway opens the API server's exec with the signed-in user's own credentials. The
 * user picks the container and the shell (or a command), sees the exit status when the
 * process ends, and reconnects with one button; on a phone a key row gives Esc, Tab, Ctrl and
 * the arrows. Copy is the selection (Copy button or the browser's own), paste the clipboard.
 */
@Component({
  selector: 'cairn-pod-terminal',
  templateUrl: './pod-terminal.html',
  // xterm draws its own DOM, which an emulated style scope would not reach.
  styleUrls: ['../../../../../../node_modules/@xterm/xterm/css/xterm.css', './pod-terminal.css'],
  encapsulation: ViewEncapsulation.None,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PodTerminal {
  readonly cluster = input.required<string>();
  readonly namespace = input.required<string>();
  readonly pod = input.required<string>();
  readonly containers = input.required<string[]>();
  /** The container to start with (from the address: `?view=exec&container=…`). */
  readonly initialContainer = input<string | undefined>(undefined);
  /** Whether attaching to the container's main process is offered (`create pods/attach`). */
  readonly canAttach = input(false);
  /** `attach` to start attached to the container's main process (`?shell=attach`: a debug container just started). */
  readonly initialShell = input<string | undefined>(undefined);
  /** Containers whose spec asks for a terminal (`tty`, as a debug container's): an attach to them is interactive. */
  readonly ttyContainers = input<string[]>([]);

  protected readonly shells = EXEC_SHELLS;
  protected readonly keys = KEYS;
  protected readonly container = signal<string>('');
  protected readonly shell = linkedSignal<string>(() => (this.initialShell() === 'attach' && this.canAttach() ? 'attach' : EXEC_SHELLS[0]));
  protected readonly custom = signal('');
  protected readonly ctrl = signal(false);
  protected readonly state = signal<State>({ kind: 'idle' });
  protected readonly chosenContainer = computed(() => this.container() || this.initialContainer() || this.containers()[0] || '');
  protected readonly statusText = computed(() => {
    const s = this.state();
    switch (s.kind) {
      case 'idle':
        return 'Not connected.';
      case 'connecting':
        return 'Connecting…';
      case 'running':
        if (this.shell() !== 'attach') return `Connected to ${this.chosenContainer()}.`;
        return this.ttyContainers().includes(this.chosenContainer())
          ? `Attached to ${this.chosenContainer()}'s main process, in its terminal.`
          : `Attached to ${this.chosenContainer()}'s main process (its output from now on).`;
      case 'exited':
        return `The process exited with code ${s.code}.${s.message && s.code !== 0 ? ` ${s.message}` : ''}`;
      case 'failed':
        return s.message;
    }
  });

  private readonly screen = viewChild.required<ElementRef<HTMLElement>>('screen');
  private terminal: Terminal | undefined;
  private fitAddon: FitAddon | undefined;
  private socket: WebSocket | undefined;
  /** Counts Connect and Disconnect presses: a socket opened for an older one is closed at once. */
  private attempts = 0;
  private readonly api = inject(ApiClient);
  private resizeObserver: ResizeObserver | undefined;

  constructor() {
    afterNextRender(() => {
      const terminal = new Terminal({ cursorBlink: true, convertEol: false, fontSize: 14, scrollback: 5000, fontFamily: 'ui-monospace, Menlo, Consolas, monospace' });
      this.fitAddon = new FitAddon();
      terminal.loadAddon(this.fitAddon);
      terminal.open(this.screen().nativeElement);
      terminal.onData((data) => this.type(data));
      terminal.onResize(({ cols, rows }) => this.sendResize(cols, rows));
      this.terminal = terminal;
      this.resizeObserver = new ResizeObserver(() => this.fitNow());
      this.resizeObserver.observe(this.screen().nativeElement);
      this.fitNow();
      void this.connect();
    });
    inject(DestroyRef).onDestroy(() => {
      this.resizeObserver?.disconnect();
      this.attempts++;
      this.socket?.close();
      this.terminal?.dispose();
    });
  }

  protected chooseContainer(name: string): void {
    this.container.set(name);
    void this.connect();
  }

  /** Opens a new session (closing the current one): the Connect / Reconnect button. */
  protected async connect(): Promise<void> {
    const terminal = this.terminal;
    if (!terminal) return;
    const attempt = ++this.attempts;
    this.socket?.close();
    this.socket = undefined;
    const attach = this.shell() === 'attach';
    const command = attach ? [] : this.shell() === 'custom' ? commandWords(this.custom()) : [this.shell()];
    if (!attach && !command.length) {
      this.state.set({ kind: 'failed', message: 'Type the command to run first.' });
      return;
    }
    const params = new URLSearchParams();
    for (const word of command) params.append('command', word);
    if (this.chosenContainer()) params.set('container', this.chosenContainer());
    // An attach watches the output, unless the container's spec asks for a terminal (a debug container's does).
    const tty = !attach || this.ttyContainers().includes(this.chosenContainer());
    params.set('tty', String(tty));
    const path = `/api/v1/clusters/${encodeURIComponent(this.cluster())}/namespaces/${encodeURIComponent(this.namespace())}/pods/${encodeURIComponent(this.pod())}/${attach ? 'attach' : 'exec'}?${params}`;
    this.state.set({ kind: 'connecting' });
    let socket: WebSocket;
    try {
      socket = await this.api.terminal(path, this.cluster());
    } catch (err) {
      if (attempt === this.attempts) this.state.set({ kind: 'failed', message: (err as Error).message });
      return;
    }
    // Another Connect (or Disconnect) came while the cluster's entry was read: this one is not wanted.
    if (attempt !== this.attempts) {
      socket.close();
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    terminal.reset();
    let ended = false;
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      if (typeof event.data !== 'string') {
        const bytes = new Uint8Array(event.data as ArrayBuffer).subarray(1);
        terminal.write(tty ? bytes : new TextDecoder().decode(bytes).replace(/\r?\n/g, '\r\n'));
        return;
      }
      const message = JSON.parse(event.data) as ExecServerMessage;
      if (message.type === 'started') {
        this.state.set({ kind: 'running' });
        this.sendResize(terminal.cols, terminal.rows);
        terminal.focus();
      } else if (message.type === 'exit') {
        ended = true;
        this.state.set({ kind: 'exited', code: message.code, message: message.message });
      } else {
        ended = true;
        this.state.set({ kind: 'failed', message: message.status === 403 ? `You may not open a terminal here: ${message.message}` : message.message });
      }
    };
    socket.onclose = (event) => {
      if (socket !== this.socket || ended) return;
      // Refused before the upgrade (origin, bounds, sign-in): the browser is told nothing more.
      this.state.set({ kind: 'failed', message: event.code === EXEC_CLOSE.exited ? 'The terminal closed.' : 'The terminal could not be opened or was cut off; Reconnect to try again.' });
    };
  }

  protected disconnect(): void {
    this.attempts++;
    this.socket?.close();
    this.socket = undefined;
    this.state.set({ kind: 'idle' });
  }

  /** Sends typed text, applying a pending on-screen Ctrl to its first letter. */
  protected type(data: string): void {
    let text = data;
    if (this.ctrl() && text.length) {
      const c = text[0]?.toUpperCase() ?? '';
      if (c >= '@' && c <= '_') text = String.fromCharCode(c.charCodeAt(0) - 64) + text.slice(1);
      this.ctrl.set(false);
    }
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(new TextEncoder().encode(text));
  }

  protected press(send: string): void {
    this.ctrl.set(false);
    this.type(send);
    this.terminal?.focus();
  }

  protected toggleCtrl(): void {
    this.ctrl.update((v) => !v);
    this.terminal?.focus();
  }

  protected async copy(): Promise<void> {
    const selection = this.terminal?.getSelection();
    if (selection) await navigator.clipboard?.writeText(selection).catch(() => undefined);
    this.terminal?.focus();
  }

  protected async paste(): Promise<void> {
    const text = await navigator.clipboard?.readText().catch(() => '');
    if (text) this.terminal?.paste(text);
    this.terminal?.focus();
  }

  private fitNow(): void {
    try {
      this.fitAddon?.fit();
    } catch {
      // Not laid out yet (hidden): the next resize fits it.
    }
  }

  private sendResize(cols: number, rows: number): void {
    if (this.socket?.readyState === WebSocket.OPEN && cols > 0 && rows > 0) this.socket.send(JSON.stringify({ type: 'resize', cols, rows }));
  }
}
