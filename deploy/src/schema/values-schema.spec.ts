import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR, exampleValues } from '../chart';
import { KUBERNETES_ROOTS, valuesSchema } from './values-schema';

type Node = Record<string, unknown>;
const committed = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as Node & { definitions: Record<string, Node> };

/** Every schema node, with its JSON pointer. */
function* nodes(node: unknown, pointer = ''): Generator<[string, Node]> {
  if (Array.isArray(node)) {
    for (const [i, n] of node.entries()) yield* nodes(n, `${pointer}/${i}`);
  } else if (node && typeof node === 'object') {
    yield [pointer, node as Node];
    for (const [key, value] of Object.entries(node)) {
      // A property named `properties`, `type`... is a name, not a keyword: descend into its schema only.
      if (key === 'properties' || key === 'definitions') {
        for (const [name, schema] of Object.entries(value as Node)) yield* nodes(schema, `${pointer}/${key}/${name}`);
      } else if (typeof value === 'object') yield* nodes(value, `${pointer}/${key}`);
    }
  }
}

describe('values.schema.json', () => {
  it('is what src/schema/values-schema.ts says, around the committed Kubernetes definitions', () => {
    expect(committed).toEqual(valuesSchema(committed.definitions));
  });

  it('closes every object: each one lists its keys and refuses others (or is a string map)', () => {
    const open: string[] = [];
    let objects = 0;
    for (const [pointer, node] of nodes(committed)) {
      if (node['type'] !== 'object' && !node['properties']) continue;
      objects++;
      const extra = node['additionalProperties'];
      const closed = extra === false || (typeof extra === 'object' && extra !== null && !node['properties']);
      if (!closed) open.push(pointer);
    }
    expect(open).toEqual([]);
    expect(objects).toBeGreaterThan(100);
  });

  it('holds exactly the Kubernetes definitions its roots reach, each reference resolvable', () => {
    const reached = new Set<string>();
    const visit = (name: string) => {
      if (reached.has(name)) return;
      reached.add(name);
      const definition = committed.definitions[name];
      if (!definition) throw new Error(`#/definitions/${name} is referenced but missing`);
      for (const [, node] of nodes(definition)) if (typeof node['$ref'] === 'string') visit((node['$ref'] as string).replace('#/definitions/', ''));
    };
    KUBERNETES_ROOTS.forEach(visit);
    for (const [, node] of nodes(committed)) if (typeof node['$ref'] === 'string') expect(reached).toContain((node['$ref'] as string).replace('#/definitions/', ''));
    expect(Object.keys(committed.definitions).sort()).toEqual([...reached].sort());
  });

  it('is a valid draft-07 schema (for editors too) that accepts values.yaml and every example', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(committed);
    for (const file of [join(CHART_DIR, 'values.yaml'), ...exampleValues().map((e) => e.file)]) {
      const ok = validate(parse(readFileSync(file, 'utf8')) ?? {});
      expect({ file, errors: validate.errors ?? null, ok }).toEqual({ file, errors: null, ok: true });
    }
    expect(validate({ extraVolumes: [] })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'extraVolumes' } });
  });
});
