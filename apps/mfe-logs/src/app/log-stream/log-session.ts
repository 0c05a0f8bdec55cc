import { computed, signal } from '@angular/core';
import { kubeTimestampMs, parseStructured } from '@cairn/kube-model';
import { AnsiParser } from '../log-lines/ansi';
import { LogBuffer } from '../log-lines/log-buffer';
import { LogLine, SOURCE_COLOURS } from '../log-lines/log-line';
import { LogOpener, LogOptions, LogStream, LogStreamOptions, LogTarget, StreamedLine, StreamState, timestampKey } from './log-stream';

/**
 * Lines parsed and shown per frame, at most: 10 000 lines arriving at once (a long history)
 * are parsed (ANSI, JSON/logfmt) over ten frames, so no frame is a long task.
 */
export const LINES_PER_FRAME = 1000;

/** How far back (in lines) a late line of a merged view is put in its place by time. */
const REORDER_WINDOW = 2000;

/** How merged lines are told apart: by pod (a workload), by container (a pod), or not at all (one container). */
export type SourceLabel = 'pod' | 'container' | 'pod/container' | 'none';

type Arrival = { kind: 'log'; line: StreamedLine } | { kind: 'notice' | 'error'; text: string; source?: string };

export interface LogSessionOptions {
  /** Lines kept (default 10 000). */
  capacity?: number;
  stream?: LogStreamOptions;
  /** Schedules a flush; by default the next animation frame (or 250 ms when frames stop, in a hidden tab). */
  schedule?: (flush: () => void) => void;
}

/**
 * One log view's reading: a stream per target, their lines parsed and merged into one
 * bounded buffer once per animation frame however fast they arrive. Pausing keeps the
 * streams open and holds new lines back (counting them); following off closes the streams,
 * following on opens them again from the last line seen.
 */
export class LogSession {
  readonly lines = signal<readonly LogLine[]>([]);
  readonly dropped = signal(0);
  readonly paused = signal(false);
  /** Lines that arrived while paused, waiting to be shown. */
  readonly held = signal(0);
  readonly states = signal<readonly StreamState[]>([]);
  readonly following = signal(false);
  readonly sources = computed(() => this.label !== 'none');

  private readonly buffer: LogBuffer<LogLine>;
  private streams: LogStream[] = [];
  private incoming: Arrival[] = [];
  private waiting: Arrival[] = [];
  private scheduled = false;
  private follow: boolean;
  private readonly parsers = new Map<string, AnsiParser>();
  private readonly colours = new Map<string, number>();
  private static nextId = 1;

  constructor(
    private readonly open: LogOpener,
    readonly targets: readonly LogTarget[],
    readonly options: LogOptions,
    readonly label: SourceLabel,
    private readonly settings: LogSessionOptions = {},
  ) {
    this.buffer = new LogBuffer<LogLine>(settings.capacity ?? 10_000);
    this.follow = options.follow;
  }

  start(): this {
    this.openStreams(undefined);
    return this;
  }

  /** Closes every stream; the lines stay. */
  stop(): void {
    for (const s of this.streams) s.stop();
    this.following.set(false);
  }

  /** Follow on: open the streams again from the last line each delivered. Off: close them, keeping the lines. */
  setFollow(follow: boolean): void {
    this.follow = follow;
    if (this.options.previous || follow === this.following()) return;
    const resumeFrom = new Map<string, string>();
    for (const s of this.streams) {
      s.stop();
      for (const [k, ts] of s.lastTimestamps) resumeFrom.set(k, ts);
    }
    if (follow) {
      this.openStreams(resumeFrom);
    } else {
      // The stopped streams stay: they remember where to resume.
      this.states.set([]);
      this.following.set(false);
    }
  }

  pause(): void {
    this.paused.set(true);
  }

  resume(): void {
    this.paused.set(false);
    this.flush();
  }

  clear(): void {
    this.buffer.clear();
    this.waiting = [];
    this.incoming = [];
    this.held.set(0);
    this.publish();
  }

  private openStreams(resumeFrom: Map<string, string> | undefined): void {
    const follow = this.follow && !this.options.previous;
    this.states.set(this.targets.map(() => ({ phase: 'connecting' })));
    this.following.set(follow);
    this.streams = this.targets.map((target, i) =>
      new LogStream(this.open, target, { ...this.options, follow }, {
        lines: (batch) => this.arrive(batch.map((line) => ({ kind: 'log', line }))),
        notice: (text, kind, source) => this.arrive([{ kind, text, source: source ? `${source.pod}/${source.container}` : undefined }]),
        state: (state) => this.states.update((all) => all.map((s, j) => (j === i ? state : s))),
      }, { ...this.settings.stream, resumeFrom }).start(),
    );
  }

  private arrive(arrivals: Arrival[]): void {
    for (const a of arrivals) this.incoming.push(a);
    // A hidden tab gets no frames: keep a bounded backlog, not an unbounded one.
    if (this.incoming.length > 2 * this.buffer.capacity) {
      const excess = this.incoming.length - this.buffer.capacity;
      this.incoming = this.incoming.slice(excess);
      this.buffer.countDropped(excess);
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      (this.settings.schedule ?? nextFrame)(() => this.flush());
    }
  }

  /** Moves what arrived into the buffer (or, paused, into the held lines): once per frame. */
  flush(): void {
    this.scheduled = false;
    if (this.incoming.length > 0) {
      this.waiting = this.waiting.length === 0 ? this.incoming : this.waiting.concat(this.incoming);
      this.incoming = [];
    }
    const capacity = this.buffer.capacity;
    if (this.waiting.length > capacity) {
      this.buffer.countDropped(this.waiting.length - capacity);
      this.waiting = this.waiting.slice(this.waiting.length - capacity);
    }
    if (this.paused()) {
      this.held.set(this.waiting.length);
      this.dropped.set(this.buffer.dropped);
      return;
    }
    const waiting = this.waiting.length > LINES_PER_FRAME ? this.waiting.slice(0, LINES_PER_FRAME) : this.waiting;
    this.waiting = this.waiting.length > LINES_PER_FRAME ? this.waiting.slice(LINES_PER_FRAME) : [];
    this.held.set(0);
    if (this.waiting.length > 0) this.scheduleFlush();
    if (this.label === 'none') this.buffer.push(waiting.map((a) => this.toLine(a)));
    else this.mergeByTime(waiting);
    this.publish();
  }

  /**
   * Several sources: their lines go in by time, not by arrival (one pod's history may come a
   * frame after another's). Lines newer than the batch's oldest, up to REORDER_WINDOW back,
   * are taken out of the buffer and merged with it; they get new ids, since ids follow order.
   */
  private mergeByTime(arrivals: Arrival[]): void {
    let previous = '';
    const keyed = arrivals.map((arrival, i) => {
      // A notice keeps the time of the line before it.
      if (arrival.kind === 'log' && arrival.line.timestamp) previous = timestampKey(arrival.line.timestamp);
      return { arrival, key: previous, i };
    });
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
    const oldest = keyed[0]?.key ?? '';
    const items = this.buffer.items;
    const floor = Math.max(0, items.length - REORDER_WINDOW);
    let at = items.length;
    while (at > floor && lineKey(items[at - 1]) > oldest) at--;
    const tail = this.buffer.truncate(at).map((line) => ({ line, key: lineKey(line) }));
    const merged: LogLine[] = [];
    let t = 0;
    let k = 0;
    while (t < tail.length || k < keyed.length) {
      if (k >= keyed.length || (t < tail.length && tail[t].key <= keyed[k].key)) merged.push({ ...tail[t++].line, id: LogSession.nextId++ });
      else merged.push(this.toLine(keyed[k++].arrival));
    }
    this.buffer.push(merged);
  }

  private publish(): void {
    this.lines.set(this.buffer.items);
    this.dropped.set(this.buffer.dropped);
  }

  private toLine(arrival: Arrival): LogLine {
    const id = LogSession.nextId++;
    if (arrival.kind !== 'log') {
      return { id, kind: arrival.kind, source: arrival.source ?? '', colour: arrival.source ? this.colourOf(arrival.source.split('/')[0]) : -1, text: arrival.text, segments: [{ text: arrival.text, classes: '' }] };
    }
    const { pod, container, timestamp, text: raw } = arrival.line;
    const key = `${pod}/${container}`;
    let parser = this.parsers.get(key);
    if (!parser) this.parsers.set(key, (parser = new AnsiParser()));
    const { text, segments } = parser.parse(raw);
    const source = this.label === 'pod' ? pod : this.label === 'container' ? container : this.label === 'pod/container' ? key : '';
    const colour = this.label === 'none' ? -1 : this.colourOf(this.label === 'container' ? container : pod);
    // Parsed here, once: filters and columns read the fields, never the text again.
    return { id, kind: 'log', source, colour, timestamp, text, segments, pod, container, kubeTime: kubeTimestampMs(timestamp), structured: parseStructured(text) };
  }

  /** A colour per pod (or container), in the order they first speak. */
  private colourOf(name: string): number {
    let colour = this.colours.get(name);
    if (colour === undefined) this.colours.set(name, (colour = this.colours.size % SOURCE_COLOURS));
    return colour;
  }
}

function lineKey(line: LogLine): string {
  return line.timestamp ? timestampKey(line.timestamp) : '';
}

function nextFrame(flush: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    flush();
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(once);
  setTimeout(once, 250);
}
