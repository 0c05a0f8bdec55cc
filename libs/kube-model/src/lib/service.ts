import { asArray, asNumber, asObject, asString, Json, text } from './json-shape';

/**
 * A Service and the endpoints behind it, as `kubectl describe service` shows them
 * (`describeService` in k8s.io/kubectl/pkg/describe/describe.go), read from the Service and its
 * EndpointSlices (label `kubernetes.io/service-name`, discovery.k8s.io/v1). Shape-tolerant.
 */
export interface ServicePort {
  name: string;
  /** `80/TCP` */
  port: string;
  /** The container port or port name the traffic goes to. */
  targetPort: string;
  nodePort?: number;
}

export interface ServiceFacts {
  type: string;
  clusterIPs: string[];
  /** From `spec.externalIPs` and a load balancer's `status.loadBalancer.ingress`; `<pending>` while a LoadBalancer has none. */
  externalIPs: string[];
  externalName?: string;
  ports: ServicePort[];
  sessionAffinity?: string;
}

type Obj = Record<string, Json>;
const objects = (value: Json): Obj[] => asArray(value).map(asObject);

export function serviceFacts(service: Json): ServiceFacts {
  const spec = asObject(asObject(service)['spec']);
  const type = asString(spec['type']) ?? 'ClusterIP';
  const ingress = objects(asObject(asObject(asObject(service)['status'])['loadBalancer'])['ingress']).map((i) => asString(i['ip']) ?? asString(i['hostname']) ?? '').filter(Boolean);
  const external = [...asArray(spec['externalIPs']).map(text), ...ingress];
  const clusterIPs = asArray(spec['clusterIPs']).map(text);
  return {
    type,
    clusterIPs: clusterIPs.length ? clusterIPs : asString(spec['clusterIP']) ? [text(spec['clusterIP'])] : [],
    externalIPs: external.length ? external : type === 'LoadBalancer' ? ['<pending>'] : [],
    ...(asString(spec['externalName']) ? { externalName: asString(spec['externalName']) } : {}),
    ports: objects(spec['ports']).map((p) => ({
      name: text(p['name']),
      port: `${text(p['port'])}/${asString(p['protocol']) ?? 'TCP'}`,
      targetPort: text(p['targetPort'] ?? p['port']),
      ...(asNumber(p['nodePort']) ? { nodePort: asNumber(p['nodePort']) } : {}),
    })),
    ...(asString(spec['sessionAffinity']) && spec['sessionAffinity'] !== 'None' ? { sessionAffinity: asString(spec['sessionAffinity']) } : {}),
  };
}

/** One address behind a Service, from an EndpointSlice. */
export interface Endpoint {
  address: string;
  /** `ready` unless the slice says otherwise (`conditions.ready` false), or `terminating`. */
  state: 'ready' | 'not ready' | 'terminating';
  /** The pod behind it, when the slice names one (`targetRef`). */
  pod?: string;
  node?: string;
  /** The slice's ports: `http 8080/TCP`. */
  ports: string[];
}

/**
 * Every endpoint of a Service's EndpointSlices. Per the EndpointSlice API, an unset
 * `conditions.ready` means ready, and `terminating` wins over both.
 */
export function endpointsOf(slices: readonly Json[]): Endpoint[] {
  return slices.flatMap((slice) => {
    const s = asObject(slice);
    const ports = objects(s['ports']).map((p) => `${asString(p['name']) ? `${text(p['name'])} ` : ''}${text(p['port'])}/${asString(p['protocol']) ?? 'TCP'}`);
    return objects(s['endpoints']).flatMap((e) => {
      const conditions = asObject(e['conditions']);
      const state: Endpoint['state'] = conditions['terminating'] === true ? 'terminating' : conditions['ready'] === false ? 'not ready' : 'ready';
      const target = asObject(e['targetRef']);
      return asArray(e['addresses']).map((address) => ({
        address: text(address),
        state,
        ...(target['kind'] === 'Pod' && asString(target['name']) ? { pod: asString(target['name']) } : {}),
        ...(asString(e['nodeName']) ? { node: asString(e['nodeName']) } : {}),
        ports,
      }));
    });
  });
}
