import websocket from '@fastify/websocket';
import { HttpException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { refusal } from '@cairn/server-runtime';
import { EXEC_CLUSTER_ENTRY_PROTOCOL, EXEC_PROTOCOL, USER_CLUSTER_HEADER } from '@cairn/api-contracts';
import { AttachQuery, ExecQuery, PodExecParams } from '@cairn/api-contracts/requests';
import { ExecService, ExecTicket } from './exec.service';

export const EXEC_ROUTE = '/api/v1/clusters/:cluster/namespaces/:namespace/pods/:pod/exec';
export const ATTACH_ROUTE = '/api/v1/clusters/:cluster/namespaces/:namespace/pods/:pod/attach';

const TICKETS = new WeakMap<FastifyRequest, ExecTicket>();

/**
 * Whether a WebSocket upgrade may go on, as far as its origin goes. A WebSocket is not bound
 * by CORS and cannot carry the CSRF header, so the Origin is the proof: a request riding on
 * the session cookie must name the console's own origin (the Host the gateway was reached
 * at); a header-authenticated API client may leave it out, but any Origin sent must match.
 */
export function originRefusal(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (origin === undefined) return request.headers.cookie && !request.headers.authorization ? 'A terminal opened with the session cookie must come from the console (no Origin header was sent).' : undefined;
  try {
    if (new URL(origin).host === request.headers.host) return undefined;
  } catch {
    /* not a URL: refused below */
  }
  return `A terminal may not be opened from ${JSON.stringify(origin).slice(0, 200)}.`;
}

/**
 * The subprotocols a client offers (Sec-WebSocket-Protocol, comma-separated, RFC 6455 4.1), or
 * a 400 when it offers some but not `EXEC_PROTOCOL`: such a client would refuse the upgraded
 * socket (no protocol it offered is selected), after the gateway had already started the
 * command upstream. Refused before the caller is read and before anything is dialled.
 */
export function offeredProtocols(request: FastifyRequest): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (header === undefined) return [];
  const offered = header.split(',').map((p) => p.trim());
  if (!offered.includes(EXEC_PROTOCOL)) {
    throw new HttpException(`A terminal speaks the ${EXEC_PROTOCOL} subprotocol: offer it (the console's browser client does), or offer no subprotocol at all.`, 400);
  }
  return offered;
}

/**
 * A user-added cluster's entry offered as a WebSocket subprotocol
 * (`EXEC_CLUSTER_ENTRY_PROTOCOL` + entry, api-contracts exec-protocol), moved into the
 * X-Cairn-Cluster header, where the rest of the gateway reads it with the same checks (a
 * signed-in caller first, then the entry's own rules). A 400 when it is offered twice, or
 * together with the header: one credential per session, never a choice between two.
 */
export function adoptEntryProtocol(request: FastifyRequest): void {
  const offered = offeredProtocols(request).filter((p) => p.startsWith(EXEC_CLUSTER_ENTRY_PROTOCOL));
  if (!offered.length) return;
  if (offered.length > 1 || request.headers[USER_CLUSTER_HEADER] !== undefined) {
    throw new HttpException(`Send a user-added cluster's entry once: in the ${USER_CLUSTER_HEADER} header or in one ${EXEC_CLUSTER_ENTRY_PROTOCOL}<entry> subprotocol, not both.`, 400);
  }
  request.headers[USER_CLUSTER_HEADER] = (offered[0] ?? '').slice(EXEC_CLUSTER_ENTRY_PROTOCOL.length);
}

function fail(reply: FastifyReply, err: unknown): FastifyReply {
  const status = err instanceof HttpException ? err.getStatus() : 500;
  const message = err instanceof HttpException ? err.message : 'The server failed to answer this request; the error is in its log.';
  const headers = (err as { headers?: Record<string, string> }).headers;
  if (headers) for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') void reply.header(k, v);
  return reply.code(status).header('cache-control', 'no-store').send({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });
}

/**
 * The terminal's WebSocket route (@fastify/websocket on the gateway's Fastify; Nest's router
 * has no WebSocket upgrade for Fastify routes). Before the upgrade, as every other route:
 * the origin (403), the parameters (400, by the shared schemas), the caller (401) and the
 * sessions bound (429) answer as HTTP errors with the usual error body. A client that offers
 * subprotocols gets `EXEC_PROTOCOL` selected (never the entry protocol, which is not echoed);
 * one that offers others but not it is a 400 (`offeredProtocols`). A session admitted but
 * never upgraded (the WebSocket server refuses the handshake, the client leaves) gives its
 * slot back when its connection closes. After the upgrade, the API
 * server's own answer (403 from its authorization, 404…) arrives as an `error` message and
 * close code 4000 (see `@cairn/api-contracts` exec-protocol).
 */
export async function registerExecRoute(app: NestFastifyApplication): Promise<void> {
  const exec = app.get(ExecService);
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(websocket, {
    options: { maxPayload: 1024 * 1024, perMessageDeflate: false, handleProtocols: (offered: Set<string>) => (offered.has(EXEC_PROTOCOL) ? EXEC_PROTOCOL : false) },
  });
  for (const [route, mode] of [
    [EXEC_ROUTE, 'exec'],
    [ATTACH_ROUTE, 'attach'],
  ] as const) {
    fastify.get(
      route,
      {
        websocket: true,
        schema: { hide: true } as never,
        preValidation: async (request: FastifyRequest, reply: FastifyReply) => {
          try {
            const origin = originRefusal(request);
            if (origin) throw new HttpException(origin, 403);
            const params = PodExecParams.safeParse(request.params, { reportInput: true });
            if (!params.success) throw refusal(params.error.issues, 'path');
            const query = (mode === 'exec' ? ExecQuery : AttachQuery).safeParse(request.query ?? {}, { reportInput: true });
            if (!query.success) throw refusal(query.error.issues, 'query');
            if (request.headers.upgrade?.toLowerCase() !== 'websocket') throw new HttpException("This is a WebSocket (the console's terminal): open it with an Upgrade: websocket request.", 426);
            adoptEntryProtocol(request);
            const ticket = await exec.admit(request, params.data, mode === 'exec' ? (query.data as ExecQuery) : { ...query.data, command: [] }, mode);
            TICKETS.set(request, ticket);
            // The WebSocket server may still refuse the handshake (a malformed Sec-WebSocket-Key
            // or protocol list), or the client may have left while it was admitted: the handler
            // below is then never called, and the session's slot is given back here.
            const unclaimed = () => {
              if (TICKETS.get(request) !== ticket) return;
              TICKETS.delete(request);
              ticket.release();
            };
            if (request.raw.socket.destroyed) unclaimed();
            else request.raw.socket.once('close', unclaimed);
          } catch (err) {
            return fail(reply, err);
          }
          return undefined;
        },
      },
      (socket, request) => {
        const ticket = TICKETS.get(request);
        TICKETS.delete(request);
        if (!ticket) {
          socket.close(1011, 'no session');
          return;
        }
        void exec.run(socket, ticket).catch(() => ticket.release());
      },
    );
  }
}
