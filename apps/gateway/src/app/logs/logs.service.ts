import { BadRequestException, Injectable } from '@nestjs/common';
import { selectorText, type Json } from '@cairn/kube-model';
import type { LogQuery } from '@cairn/api-contracts/requests';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';
import type { UpstreamResponse } from '../kube/http2-pool';
import { lines } from '../kube/lines';
import { PerIdentityLimit } from '../kube/per-identity-limit';
import { query, resourcePath } from '../kube/resource-paths';

/** Merged logs follow at most this many pods of a workload. */
export const MAX_MERGED_PODS = 20;

/** One NDJSON record of a merged log: a line, a pod's error, or a notice about what is left out. */
export type MergedLogRecord = { pod: string; container: string; line: string } | { pod: string; container: string; error: string } | { notice: string };

interface PodLogTarget {
  cluster: string;
  namespace: string;
  pod: string;
}

/**
 * Container logs as the caller: one container's log streamed through, or the containers of a
 * workload's pods merged as records. Followed logs count against CAIRN_MAX_FOLLOWED_LOGS_PER_USER
 * (each container of a merged log counts); one merged log opens at most
 * CAIRN_MAX_MERGED_LOG_STREAMS upstream streams and follows at most MAX_MERGED_PODS pods.
 */
@Injectable()
export class LogsService {
  private readonly followedPerUser: PerIdentityLimit;

  constructor(private readonly kube: KubeService) {
    this.followedPerUser = new PerIdentityLimit(kube.limits.followedLogsPerUser, 'followed logs', 'CAIRN_MAX_FOLLOWED_LOGS_PER_USER');
  }

  /**
   * The API server's log stream of one container, and the release of its followed-log slot
   * (call it when the browser goes). A 429 naming the bound when the caller follows too many.
   */
  async podLog(caller: Caller, target: PodLogTarget, q: LogQuery, signal: AbortSignal): Promise<{ stream: UpstreamResponse; release: () => void }> {
    const path =
      resourcePath({ group: 'core', version: 'v1', resource: 'pods', namespace: target.namespace, name: target.pod, subresource: 'log' }) +
      query({ container: q.container, follow: q.follow, previous: q.previous, timestamps: q.timestamps, tailLines: q.tailLines, sinceSeconds: q.sinceSeconds, limitBytes: q.limitBytes });
    const release = q.follow ? this.followedPerUser.acquire(caller.identity) : () => undefined;
    try {
      const stream = await this.kube.open(target.cluster, caller, { method: 'GET', path, accept: '*/*', signal, timeoutMs: 30_000 });
      stream.on('error', () => undefined);
      return { stream, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /**
   * The pods of a workload (found by its selector), as the list of containers to follow. A 400
   * for an object without a pod selector. Call `run` with a sink to stream every container's
   * lines into it until they end or `signal` aborts.
   */
  async workloadLog(
    caller: Caller,
    target: { cluster: string; namespace: string; group: string; version: string; resource: string; name: string },
    q: LogQuery,
  ): Promise<{ run: (write: (record: MergedLogRecord) => void, signal: AbortSignal) => Promise<void> }> {
    const { cluster, namespace } = target;
    const workload = await this.kube.json<{ spec?: { selector?: object } }>(cluster, caller, { method: 'GET', path: resourcePath(target) });
    // A LabelSelector (workloads) or a plain map (Services, ReplicationControllers), as kubectl reads either.
    const selector = workload.spec?.selector === undefined ? undefined : selectorText(workload.spec.selector as Json);
    if (!selector) throw new BadRequestException(`${target.resource}/${target.name} has no pod selector: only objects that select pods (Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, Services) have merged logs.`);
    const pods = await this.kube.json<{ items?: Array<{ metadata?: { name?: string }; spec?: { containers?: Array<{ name?: string }> } }> }>(cluster, caller, {
      method: 'GET',
      path: resourcePath({ group: 'core', version: 'v1', resource: 'pods', namespace }) + query({ labelSelector: selector }),
    });
    const params = { follow: q.follow, previous: q.previous, timestamps: q.timestamps, tailLines: q.tailLines, sinceSeconds: q.sinceSeconds };
    const items = Array.isArray(pods.items) ? pods.items : [];
    const all = items
      .slice(0, MAX_MERGED_PODS)
      .flatMap((pod) => (Array.isArray(pod?.spec?.containers) ? pod.spec.containers : []).filter((c) => !q.container || c?.name === q.container).map((c) => ({ pod: String(pod.metadata?.name), container: String(c?.name) })));
    if (q.container && items.length && all.length === 0) throw new BadRequestException(`No pod of ${target.resource}/${target.name} has a container "${q.container}".`);
    // Fan-out bound: one merged log opens at most CAIRN_MAX_MERGED_LOG_STREAMS upstream streams.
    const limit = this.kube.limits.mergedLogStreams;
    const targets = all.slice(0, limit);
    const release = q.follow ? this.followedPerUser.acquire(caller.identity, targets.length) : () => undefined;
    const run = async (write: (record: MergedLogRecord) => void, signal: AbortSignal) => {
      try {
        if (items.length > MAX_MERGED_PODS) write({ notice: `showing ${MAX_MERGED_PODS} of ${items.length} pods` });
        if (all.length > limit) write({ notice: `following ${limit} of ${all.length} containers, the bound on one merged log (CAIRN_MAX_MERGED_LOG_STREAMS)` });
        await Promise.all(targets.map(({ pod, container }) => this.follow(caller, { cluster, namespace, pod }, container, params, write, signal)));
      } finally {
        release();
      }
    };
    return { run };
  }

  private async follow(caller: Caller, target: PodLogTarget, container: string, params: Record<string, string | number | boolean | undefined>, write: (record: MergedLogRecord) => void, signal: AbortSignal): Promise<void> {
    const { pod } = target;
    let upstream: UpstreamResponse;
    try {
      upstream = await this.kube.open(target.cluster, caller, {
        method: 'GET',
        path: resourcePath({ group: 'core', version: 'v1', resource: 'pods', namespace: target.namespace, name: pod, subresource: 'log' }) + query({ container, ...params }),
        accept: '*/*',
        signal,
      });
    } catch (err) {
      if (!signal.aborted) write({ pod, container, error: (err as Error).message });
      return;
    }
    try {
      for await (const line of lines(upstream, { keepEmpty: true, maxLine: this.kube.limits.lineBytes })) write({ pod, container, line });
    } catch (err) {
      // The caller left, the pod went away, or a line broke the bound; the other streams go on.
      upstream.destroy();
      if (!signal.aborted) write({ pod, container, error: (err as Error).message });
    }
  }
}
