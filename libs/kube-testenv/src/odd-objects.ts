import type { KubeApi, KubeObject } from './kube-api';
import { SEED_LABEL } from './seed';

/**
 * A custom resource definition with printer columns of every type kubectl formats, and objects
 * whose shapes a console must survive: `status.conditions` as a list (the convention), as a map
 * and as a string, and fields missing altogether. kubectl lists them all; so must Cairn.
 */
export const GADGETS = { group: 'example.com', version: 'v1', resource: 'gadgets', namespace: 'team-b' } as const;

export function gadgetDefinition(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.com', labels: { [SEED_LABEL]: 'true' } },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: ['gd'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            { name: 'Color', type: 'string', jsonPath: '.spec.color', description: 'What it looks like' },
            { name: 'Weight', type: 'number', jsonPath: '.spec.weight' },
            { name: 'Enabled', type: 'boolean', jsonPath: '.spec.enabled' },
            { name: 'Parts', type: 'string', jsonPath: '.spec.parts[*].name' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Built', type: 'date', jsonPath: '.spec.builtAt' },
            { name: 'Owner', type: 'string', jsonPath: '.spec.owner', priority: 1 },
          ],
        },
      ],
    },
  };
}

export function gadgets(): KubeObject[] {
  const gadget = (name: string, spec: Record<string, unknown>, status: unknown): KubeObject => ({
    apiVersion: 'example.com/v1',
    kind: 'Gadget',
    metadata: { name, namespace: GADGETS.namespace, labels: { [SEED_LABEL]: 'true' } },
    spec,
    ...(status === undefined ? {} : { status }),
  });
  return [
    gadget('sprocket', { size: 3, color: 'red', weight: 1.5, enabled: true, parts: [{ name: 'tooth' }, { name: 'hub' }], builtAt: '2025-06-01T10:00:00Z', owner: 'team-b' }, { conditions: [{ type: 'Ready', status: 'True', reason: 'Assembled' }] }),
    gadget('cog', { size: 12, color: 'blue', enabled: false }, { conditions: { Ready: 'False', reason: 'a map, not a list' } }),
    gadget('gear', { size: 'large' }, { conditions: 'Ready' }),
    gadget('widgetless', {}, undefined),
  ];
}

/** Creates the definition, waits until it is served, then the objects. */
export async function seedOddObjects(admin: KubeApi): Promise<void> {
  await admin.apply(gadgetDefinition());
  const collection = `/apis/${GADGETS.group}/${GADGETS.version}/namespaces/${GADGETS.namespace}/${GADGETS.resource}`;
  for (let i = 0; i < 100 && (await admin.send('GET', collection)).status !== 200; i++) await new Promise((r) => setTimeout(r, 200));
  for (const object of gadgets()) await admin.apply(object);
}
