import { Controller, Get, HttpException, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryParams } from '@cairn/server-runtime';
import { SearchQueryParams } from '@cairn/api-contracts/requests';
import { KubeService } from '../kube/kube.service';
import { SignedIn } from '../edge/signed-in.guard';
import { SearchService } from './search.service';
import { ndjsonReply } from '../edge/ndjson-reply';

/**
 * Global search. A GET that changes nothing: no CSRF check (FromConsoleGuard guards writes) and
 * no audit line (a read); signed-in callers only, since it fans out many reads at once.
 */
@ApiTags('search')
@Controller('api/v1/search')
export class SearchController {
  constructor(
    private readonly kube: KubeService,
    private readonly search: SearchService,
  ) {}

  @Get()
  @SignedIn('searching clusters is for signed-in users')
  @ApiOperation({
    summary:
      'Global search as the caller: objects of every list-able kind (or the kind:… named) whose name holds every word of q and whose labels match its label requirements (server-side labelSelector), across the clusters given (and, where the caller may not list across a cluster, the namespaces given for it). Streams NDJSON lines as each page arrives: cluster, results (per kind), skipped (a kind or namespace the caller may not list), cluster-error, truncated (CAIRN_SEARCH_MAX_RESULTS, CAIRN_SEARCH_MAX_PAGES or CAIRN_SEARCH_DEADLINE_SECONDS reached), done. Closing the connection aborts every upstream request.',
  })
  async find(@QueryParams(SearchQueryParams) p: SearchQueryParams, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // Each cluster's caller before the stream opens: a cluster without credentials is that cluster's line, not the whole answer's.
    const callers = await Promise.all(
      p.clusters.map((t) =>
        Promise.resolve()
          .then(() => this.kube.caller(request, t.cluster))
          .catch((err: unknown) => (err instanceof HttpException ? err : new HttpException((err as Error).message, 500))),
      ),
    );
    const out = ndjsonReply(reply);
    await this.search.run(p.q, p.clusters, callers, out.write, out.signal);
    out.end();
  }
}
