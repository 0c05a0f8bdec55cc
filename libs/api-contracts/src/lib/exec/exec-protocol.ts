/**
 * The terminal's WebSocket between a browser and the gateway
 * (`/api/v1/clusters/{cluster}/namespaces/{namespace}/pods/{pod}/exec`), one process per socket.
 *
 * - Browser → gateway: binary frames are the process's stdin (keystrokes, pasted text);
 *   text frames are {@link ExecClientMessage} JSON (a terminal resize).
 * - Gateway → browser: binary frames are output, the first byte naming the stream
 *   ({@link EXEC_STDOUT} or {@link EXEC_STDERR}); text frames are {@link ExecServerMessage} JSON.
 *   The socket closes after an `exit` or `error` message.
 *
 * The gateway speaks the API server's channel protocols (`v5.channel.k8s.io`, falling back to
 * `v4.channel.k8s.io`) upstream; the browser never sees them.
 */

/**
 * The WebSocket subprotocol a browser offers, and the gateway selects, for a terminal. A
 * browser's WebSocket cannot send headers, so for a user-added cluster (`user:<name>`) the
 * browser also offers its X-Cairn-Cluster entry as a second protocol,
 * {@link EXEC_CLUSTER_ENTRY_PROTOCOL} followed by the entry (already base64url), the way the
 * API server takes a bearer token in `base64url.bearer.authorization.k8s.io.<token>`. The
 * gateway reads it as it reads the header (same checks, same bounds) and never selects it, so
 * it is not echoed back. Header-capable clients may send the X-Cairn-Cluster header instead.
 */
export const EXEC_PROTOCOL = 'terminal.cairn.v1';
export const EXEC_CLUSTER_ENTRY_PROTOCOL = 'base64url.cluster-entry.cairn.';

/** The protocols a browser offers for a terminal on `cluster`, given that cluster's entry (user-added clusters only). */
export function execProtocols(entry?: string): string[] {
  return entry ? [EXEC_PROTOCOL, EXEC_CLUSTER_ENTRY_PROTOCOL + entry] : [EXEC_PROTOCOL];
}

export const EXEC_STDOUT = 1;
export const EXEC_STDERR = 2;

/** Close codes the gateway uses (4000–4999 are the application's). */
export const EXEC_CLOSE = {
  /** The process ended (its exit code was sent first). */
  exited: 1000,
  /** The API server refused (the message names its status: 403, 404, …). */
  refused: 4000,
  /** Nothing went either way for CAIRN_EXEC_IDLE_SECONDS. */
  idle: 4001,
  /** The upstream connection failed or ended without a status. */
  upstream: 4002,
} as const;

export type ExecClientMessage = { type: 'resize'; cols: number; rows: number };

export type ExecServerMessage =
  /** The process is running (the API server accepted the exec; `protocol` is the one agreed). */
  | { type: 'started'; protocol: string }
  /** The process ended: its exit code (0 = success), and the API server's message when it failed. */
  | { type: 'exit'; code: number; message?: string }
  /** The session could not start or was ended by the gateway: the HTTP status it amounts to and why. */
  | { type: 'error'; status: number; message: string };

/** The shells the terminal offers; anything else is a custom command. */
export const EXEC_SHELLS = ['/bin/sh', '/bin/bash'] as const;
