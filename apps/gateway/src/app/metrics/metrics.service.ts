import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { MetricsReply, UsageSample } from '@cairn/api-contracts';
import type { NodeMetricsQuery, PodMetricsQuery } from '@cairn/api-contracts/requests';
import { asArray, asObject, asString, cpuMillis, memoryMiB, nodeUsage, podUsage, quantityNanos, topCpu, topMemory, topPercent, type Usage } from '@cairn/kube-model';
import type { Caller } from '../auth/callers';
import { KubeService } from '../kube/kube.service';
import { resourcePath } from '../kube/resource-paths';

const METRICS = { group: 'metrics.k8s.io', version: 'v1beta1' } as const;

/**
 * `kubectl top` as the caller: reads `metrics.k8s.io/v1beta1` (PodMetrics, NodeMetrics) with the
 * caller's credentials, and for nodes their allocatable (kubectl top node's share), printed by
 * kube-model's metrics rules. A cluster that does not serve the group, or whose APIService is
 * unavailable, is a `served: false` reply that says so, not an error; RBAC's refusal stays a 403.
 */
@Injectable()
export class MetricsService {
  constructor(private readonly kube: KubeService) {}

  async pods(cluster: string, caller: Caller, q: PodMetricsQuery): Promise<MetricsReply> {
    const path = resourcePath({ ...METRICS, resource: 'pods', namespace: q.namespace, name: q.name });
    const read = await this.read(cluster, caller, path, q.name);
    if (!read.served) return read;
    return { served: true, items: read.objects.map((o) => sample(o, podUsage(o), true)) };
  }

  async nodes(cluster: string, caller: Caller, q: NodeMetricsQuery): Promise<MetricsReply> {
    const path = resourcePath({ ...METRICS, resource: 'nodes', name: q.name });
    const read = await this.read(cluster, caller, path, q.name);
    if (!read.served) return read;
    const allocatable = await this.allocatable(cluster, caller, q.name);
    return {
      served: true,
      items: read.objects.map((o) => {
        const usage = nodeUsage(o);
        const node = allocatable.get(asString(asObject(asObject(o)['metadata'])['name']) ?? '');
        const shares = node ? { cpuPercent: topPercent(usage.cpuNanos, node.cpu), memoryPercent: topPercent(usage.memoryNanos, node.memory) } : {};
        return { ...sample(o, usage, false), ...shares };
      }),
    };
  }

  /** The objects at `path` (one when `name` is given: none when metrics-server has no sample for it yet). */
  private async read(cluster: string, caller: Caller, path: string, name: string | undefined): Promise<{ served: true; objects: unknown[] } | { served: false; message: string }> {
    let body: unknown;
    try {
      body = await this.kube.json<unknown>(cluster, caller, { method: 'GET', path });
    } catch (err) {
      if (!(err instanceof HttpException)) throw err;
      const message = err.message;
      // A 404 naming the object: the group is served, this pod or node has no sample (yet).
      if (err.getStatus() === HttpStatus.NOT_FOUND && name && message.includes(`"${name}" not found`)) return { served: true, objects: [] };
      if (err.getStatus() === HttpStatus.NOT_FOUND) {
        return { served: false, message: `Cluster ${cluster} does not serve metrics.k8s.io (no APIService v1beta1.metrics.k8s.io): install metrics-server to see CPU and memory.` };
      }
      if (err.getStatus() === HttpStatus.BAD_GATEWAY && /HTTP 503/.test(message)) {
        return { served: false, message: `Cluster ${cluster} registers metrics.k8s.io but its server is unavailable (${message.replace(/^.*?HTTP 503\): /, '')}): check metrics-server and the APIService v1beta1.metrics.k8s.io.` };
      }
      throw err;
    }
    return { served: true, objects: name ? [body] : asArray(asObject(body)['items']) };
  }

  /** Each node's allocatable CPU and memory (kubectl top node's denominator); none when the caller may not read nodes. */
  private async allocatable(cluster: string, caller: Caller, name: string | undefined): Promise<Map<string, { cpu?: bigint; memory?: bigint }>> {
    const byName = new Map<string, { cpu?: bigint; memory?: bigint }>();
    let body: unknown;
    try {
      body = await this.kube.json<unknown>(cluster, caller, { method: 'GET', path: resourcePath({ group: 'core', version: 'v1', resource: 'nodes', name }) });
    } catch (err) {
      if (err instanceof HttpException && [HttpStatus.FORBIDDEN, HttpStatus.NOT_FOUND].includes(err.getStatus())) return byName;
      throw err;
    }
    for (const node of name ? [body] : asArray(asObject(body)['items'])) {
      const o = asObject(node);
      const allocatable = asObject(asObject(o['status'])['allocatable']);
      byName.set(asString(asObject(o['metadata'])['name']) ?? '', {
        cpu: quantityNanos(asString(allocatable['cpu']) ?? ''),
        memory: quantityNanos(asString(allocatable['memory']) ?? ''),
      });
    }
    return byName;
  }
}

function sample(object: unknown, usage: Usage, namespaced: boolean): UsageSample {
  const metadata = asObject(asObject(object)['metadata']);
  const namespace = asString(metadata['namespace']);
  return {
    name: asString(metadata['name']) ?? '',
    ...(namespaced && namespace ? { namespace } : {}),
    cpu: topCpu(usage.cpuNanos),
    memory: topMemory(usage.memoryNanos),
    cpuMillicores: cpuMillis(usage.cpuNanos),
    memoryMiB: memoryMiB(usage.memoryNanos),
    timestamp: usage.timestamp,
    window: usage.window,
  };
}
