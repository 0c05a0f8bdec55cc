import { CallHandler, createParamDecorator, ExecutionContext, HttpException, Injectable, Logger, NestInterceptor, UseInterceptors } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable, tap } from 'rxjs';

/**
 * What one change did, filled in as the request goes: who and on which cluster when the
 * caller is known (KubeService.changer), what and on which objects when the change is about
 * to be sent (the service). A request refused before that (a bad parameter, no credentials)
 * changed nothing and leaves no line.
 */
export class AuditRecord {
  who?: string;
  cluster?: string;
  /** On a cluster reached by impersonation: the Kubernetes user the gateway acted as (what the API server's audit log names as impersonatedUser). */
  as?: string;
  action?: string;
  target?: string;
  /** Set once a streamed change wrote its own lines (its start, then its end): the interceptor then writes none. */
  settled = false;

  /** The change about to be made: from here on, the request leaves an audit line whatever happens. */
  describe(action: string, target: string): void {
    this.action = action;
    this.target = target;
  }
}

const RECORDS = new WeakMap<object, AuditRecord>();

function recordOf(request: FastifyRequest): AuditRecord {
  let record = RECORDS.get(request);
  if (!record) RECORDS.set(request, (record = new AuditRecord()));
  return record;
}

/** The request's AuditRecord, for the handler to pass on. */
export const Audit = createParamDecorator((_: unknown, context: ExecutionContext) => recordOf(context.switchToHttp().getRequest<FastifyRequest>()));

/**
 * Writes one audit line per change (logger `Audit`, JSON):
 * `{"audit":true,"who","cluster","action","target","result":"ok"|"refused","status"?}` —
 * `refused` with the HTTP status the caller got when the API server (or the gateway) said no.
 * A streamed change writes its own start and end lines instead (auditStreamed).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const record = recordOf(context.switchToHttp().getRequest<FastifyRequest>());
    return next.handle().pipe(
      tap({
        next: () => this.write(record, { result: 'ok' }),
        error: (err: unknown) => this.write(record, { result: 'refused', status: err instanceof HttpException ? err.getStatus() : 500 }),
      }),
    );
  }

  private write(record: AuditRecord, outcome: { result: 'ok' } | { result: 'refused'; status: number }): void {
    if (!record.action || record.settled) return;
    writeAuditLine(this.logger, record, outcome);
  }
}

const STREAM_LOGGER = new Logger('Audit');

/**
 * An audit line for a change whose answer is a stream (a drain): one when it starts, one with
 * how it ended; the request then leaves no line of its own (see AuditRecord.settled).
 */
export function auditStreamed(record: AuditRecord, outcome: { result: string; detail?: string }): void {
  record.settled = true;
  writeAuditLine(STREAM_LOGGER, record, outcome);
}

/** Writes one audit line: `{"audit":true,"who","cluster","as"?,"action","target",...outcome}` (`as`: impersonation's user). */
export function writeAuditLine(logger: Logger, record: AuditRecord, outcome: object): void {
  logger.log(JSON.stringify({ audit: true, who: record.who ?? 'unknown', cluster: record.cluster, ...(record.as ? { as: record.as } : {}), action: record.action, target: record.target, ...outcome }));
}

/** Every route of the controller (or the one route) leaves an audit line when it changes something. */
export const Audited = () => UseInterceptors(AuditInterceptor);
