import type { StructuredLine } from '@cairn/kube-model';
import type { Segment } from './ansi';

/** One line as the view keeps it: parsed once when it arrives, never again. */
export interface LogLine {
  /** Increases with every line of the page, so a line keeps its identity while the buffer moves. */
  readonly id: number;
  /** `log`: from a container; `notice`: what the view itself says (reconnected, a pod's error). */
  readonly kind: 'log' | 'notice' | 'error';
  /** `pod/container` (or the pod, or the container), shown when several sources are merged. */
  readonly source: string;
  /** Index into the source palette; -1 when the line has no source of its own. */
  readonly colour: number;
  /** RFC 3339 with nanoseconds, as the API server prefixes it. */
  readonly timestamp?: string;
  /** Without escape sequences: what search and download read. */
  readonly text: string;
  readonly segments: readonly Segment[];
  /** The pod and container it came from (absent on the view's own notices). */
  readonly pod?: string;
  readonly container?: string;
  /** `timestamp` in milliseconds since the epoch, for time ranges. */
  readonly kubeTime?: number;
  /** Its JSON or logfmt fields, parsed once on arrival (empty for plain text). */
  readonly structured?: StructuredLine;
}

/** How many colours merged sources cycle through (each readable in both themes). */
export const SOURCE_COLOURS = 8;

/** The buffered lines as text, the way the view shows them, for a download. */
export function toText(lines: readonly LogLine[], options: { timestamps: boolean; sources: boolean }): string {
  let out = '';
  for (const line of lines) {
    if (options.timestamps && line.timestamp) out += `${line.timestamp} `;
    if (options.sources && line.source) out += `[${line.source}] `;
    out += `${line.text}\n`;
  }
  return out;
}

/**
 * A source as a phone shows it: the pod's own suffix (what tells `web-7d9f8c-x2k4q` from its
 * siblings: the part after its last `-`), then the container: `…x2k4q/web`. Wide screens show
 * the whole source.
 */
export function shortSource(source: string): string {
  const [pod = '', container] = source.split('/');
  const dash = pod.lastIndexOf('-');
  const short = dash > 0 && dash < pod.length - 1 ? `…${pod.slice(dash + 1)}` : pod;
  return container === undefined ? short : `${short}/${container}`;
}
