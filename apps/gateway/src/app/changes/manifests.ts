import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { Alias, Document, isAlias, isCollection, isPair, isScalar, Node, parseAllDocuments } from 'yaml';
import { MANIFEST_YAML_OPTIONS } from '@cairn/api-contracts';

type Manifest = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; resourceVersion?: unknown } };

/** One object of an apply, as read from its YAML. */
export interface ParsedManifest {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  object: Record<string, unknown>;
}

/** Bounds on an apply's YAML (GatewayLimits). */
export interface ManifestBounds {
  /** CAIRN_MAX_MANIFEST_BYTES: the documents' source with every alias expanded. */
  bytes: number;
  /** CAIRN_MAX_YAML_ALIASES: alias nodes in the whole stream. */
  aliases: number;
}

export const DEFAULT_MANIFEST_BOUNDS: ManifestBounds = { bytes: 4 * 1024 * 1024, aliases: 100 };

/**
 * How large a document becomes once every alias is expanded, in bytes of its source, and how
 * many aliases it has; measured on the parsed nodes, before anything is expanded, so a small
 * text with many aliases of one big value (a 0.5 MB manifest with 99 aliases once took the
 * gateway from 250 to 450 MB) is refused without costing the memory it describes.
 */
export function expandedSize(doc: Document): { bytes: number; aliases: number } {
  const sizes = new Map<unknown, number>();
  let aliases = 0;
  const size = (node: unknown, depth: number): number => {
    if (depth > 200) throw new BadRequestException('The YAML nests deeper than 200 levels.');
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      aliases++;
      const target = (node as Alias).resolve(doc);
      if (!target) return 0;
      if (sizes.get(target) === -1) throw new BadRequestException('The YAML has an alias that refers to itself.');
      return size(target, depth + 1);
    }
    const known = sizes.get(node);
    if (known !== undefined && known >= 0) return known;
    sizes.set(node, -1);
    let total: number;
    if (isScalar(node)) {
      const range = (node as Node).range;
      total = range ? range[1] - range[0] : String((node as { value?: unknown }).value ?? '').length;
    } else if (isCollection(node)) {
      total = 2;
      for (const item of node.items) {
        if (isPair(item)) total += size(item.key, depth + 1) + size(item.value, depth + 1) + 2;
        else total += size(item, depth + 1) + 2;
      }
    } else total = 0;
    sizes.set(node, total);
    return total;
  };
  const bytes = size(doc.contents, 0);
  return { bytes, aliases };
}

/**
 * The documents of a YAML stream, read as kubectl reads them (YAML 1.1), each checked for
 * what an apply needs. Bounded by `bounds`: the alias count and the expanded size are checked
 * before any document is turned into objects; crossing either is a 413 naming the bound.
 */
export function parseManifests(text: string, bounds: ManifestBounds = DEFAULT_MANIFEST_BOUNDS): ParsedManifest[] {
  const docs = parseAllDocuments(text, MANIFEST_YAML_OPTIONS);
  if (!Array.isArray(docs)) throw new BadRequestException('The YAML holds no object to apply.');
  let expanded = 0;
  let aliases = 0;
  for (const doc of docs) {
    if (doc.errors.length) continue; // reported below, with its number
    const measured = expandedSize(doc);
    expanded += measured.bytes;
    aliases += measured.aliases;
    if (aliases > bounds.aliases) throw new PayloadTooLargeException(`The YAML has more than ${bounds.aliases} aliases (*name), the bound on one apply (CAIRN_MAX_YAML_ALIASES).`);
    if (expanded > bounds.bytes) throw new PayloadTooLargeException(`The YAML, with its aliases expanded, is larger than ${bounds.bytes} bytes, the bound on one apply (CAIRN_MAX_MANIFEST_BYTES).`);
  }
  const out: ParsedManifest[] = [];
  docs.forEach((doc, i) => {
    if (doc.errors.length) throw new BadRequestException(`Document ${i + 1} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}`);
    const value = doc.toJS({ maxAliasCount: bounds.aliases }) as unknown;
    if (value === null || value === undefined) return; // an empty document between ---
    if (typeof value !== 'object' || Array.isArray(value)) throw new BadRequestException(`Document ${i + 1} must be a Kubernetes object (a mapping with apiVersion, kind and metadata.name).`);
    const m = value as Manifest;
    const missing = [
      typeof m.apiVersion !== 'string' && 'apiVersion',
      typeof m.kind !== 'string' && 'kind',
      typeof m.metadata?.name !== 'string' && 'metadata.name',
    ].filter(Boolean);
    if (missing.length) throw new BadRequestException(`Document ${i + 1} has no ${missing.join(', ')}.`);
    const { resourceVersion, ...metadata } = m.metadata as Record<string, unknown>;
    void resourceVersion; // an apply must not carry a stale resourceVersion from a copied object
    out.push({
      apiVersion: m.apiVersion as string,
      kind: m.kind as string,
      name: m.metadata?.name as string,
      namespace: typeof m.metadata?.namespace === 'string' ? m.metadata.namespace : undefined,
      object: { ...(value as Record<string, unknown>), metadata },
    });
  });
  if (out.length === 0) throw new BadRequestException('The YAML holds no object to apply.');
  if (out.length > 100) throw new BadRequestException(`At most 100 objects per apply (got ${out.length}).`);
  return out;
}
