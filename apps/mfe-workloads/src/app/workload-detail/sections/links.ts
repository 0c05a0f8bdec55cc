import type { ObjectSource } from '@cairn/kube-model';

const RESOURCE: Record<ObjectSource['kind'], string> = {
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  ServiceAccount: 'serviceaccounts',
};

/** The console's route to an object a pod refers to (a ConfigMap of its env, the PVC of a mount). */
export function sourceLink(source: ObjectSource, namespace: string): string[] {
  return ['/workloads', RESOURCE[source.kind], namespace, source.name];
}

/** The console's route to a node (cluster-scoped, listed under other kinds). */
export function nodeLink(name: string): string[] {
  return ['/workloads', 'other', 'core', 'v1', 'nodes', '_', name];
}
