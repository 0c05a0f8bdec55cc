import { BadRequestException, Body, HttpException, Param, PayloadTooLargeException, PipeTransform, Query } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery } from '@nestjs/swagger';
import * as z from 'zod/mini';
import type { $ZodIssue } from 'zod/v4/core';

/** An OpenAPI 3.0 schema object, as far as this file reads it. */
export type SchemaObject = { properties?: Record<string, object>; required?: string[]; [keyword: string]: unknown };

/** Where a value of a request comes from: how a refusal names it. */
export type RequestPart = 'path' | 'query' | 'body';

/** At most this many problems are listed in one refusal. */
const MAX_LISTED = 3;

/**
 * Validates one part of a request (the path parameters, the query or the JSON body) with a
 * schema declared in `@cairn/api-contracts/requests`, and hands the handler the parsed value
 * (numbers and booleans of a query already converted). A value that does not fit is a 400 whose
 * message names each field and its rule (`limit must be a whole number from 1 to 10000 (got
 * "-4").`); a body string or list over its declared size is a 413 saying so.
 */
export class SchemaPipe<S extends z.ZodMiniType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly part: RequestPart,
  ) {}

  transform(value: unknown): z.output<S> {
    // Fastify leaves the body undefined when none was sent, and the query an object without a prototype.
    const input = value === undefined && this.part !== 'body' ? {} : value;
    const result = this.schema.safeParse(input, { reportInput: true });
    if (result.success) return result.data;
    throw refusal(result.error.issues, this.part);
  }
}

/** The HTTP error for `issues` found in `part`: a 413 when a body is over a size bound, else a 400. */
export function refusal(issues: readonly $ZodIssue[], part: RequestPart): HttpException {
  // One sentence per field: a value can break two checks of one rule (an empty namespace is too short and off-pattern).
  const sentences = [...new Set(issues.map((issue) => describe(issue, part)))];
  const more = sentences.length > MAX_LISTED ? ` (and ${sentences.length - MAX_LISTED} more)` : '';
  const message = sentences.slice(0, MAX_LISTED).join(' ') + more;
  const tooLarge = part === 'body' && issues.some((i) => i.code === 'too_big' && (i.origin === 'string' || i.origin === 'array'));
  return tooLarge ? new PayloadTooLargeException(message) : new BadRequestException(message);
}

function describe(issue: $ZodIssue, part: RequestPart): string {
  const label = issue.path.length ? fieldName(issue.path) : part === 'body' ? 'The request body' : `The ${part}`;
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `${label} has` : part === 'body' ? 'The request body has' : `The ${part} has`;
    const keys = issue.keys.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40)));
    return `${where} ${keys.length === 1 ? 'a field' : 'fields'} this request does not take: ${keys.join(', ')}${issue.keys.length > 5 ? ', …' : ''} (check the spelling: names are case-sensitive).`;
  }
  if (!issue.path.length && issue.code === 'invalid_type') return `${label} must be a JSON object${part === 'body' ? ' (Content-Type: application/json)' : ''}.`;
  const input = (issue as { input?: unknown }).input;
  // Fastify gives a query key sent twice as an array.
  if (part === 'query' && Array.isArray(input) && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return `${label} was given more than once; give it once.`;
  const sizeIssue = (issue.code === 'too_big' || issue.code === 'too_small') && issue.origin !== 'number';
  const shown = !sizeIssue && (typeof input === 'string' || (typeof input === 'number' && Number.isFinite(input)) || typeof input === 'boolean') ? ` (got ${JSON.stringify(typeof input === 'string' && input.length > 80 ? `${input.slice(0, 80)}…` : input)})` : '';
  const text = /^Invalid input/.test(issue.message) ? 'is missing or of the wrong type' : issue.message;
  return `${label} ${text}${shown}.`;
}

/** `checks[0].verb`, `metadata.name`. */
function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/** The OpenAPI (3.0) form of a request schema. */
export function openApiSchema(schema: z.ZodMiniType): SchemaObject {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as SchemaObject & { $schema?: string };
  delete json.$schema;
  return json;
}

type ObjectSchema = z.ZodMiniType & { _zod: { def: { shape?: Record<string, z.ZodMiniType> } } };

/** Applies a method decorator from inside a parameter decorator (both document the same route). */
function onMethod(target: object, key: string | symbol | undefined, decorator: MethodDecorator): void {
  if (key === undefined) return;
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor) decorator(target, key, descriptor);
}

function properties(schema: ObjectSchema): { name: string; schema: SchemaObject; required: boolean }[] {
  const json = openApiSchema(schema);
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, schema: s as SchemaObject, required: required.has(name) }));
}

/** The route's path parameters, validated by `schema` (a z.object) and documented from it. */
export function PathParams(schema: ObjectSchema): ParameterDecorator {
  return (target, key, index) => {
    Param(new SchemaPipe(schema, 'path'))(target, key, index);
    for (const p of properties(schema)) onMethod(target, key, ApiParam({ name: p.name, required: true, schema: p.schema as never }));
  };
}

/** The query, validated by `schema` (a z.object) and documented from it. */
export function QueryParams(schema: ObjectSchema): ParameterDecorator {
  return (target, key, index) => {
    Query(new SchemaPipe(schema, 'query'))(target, key, index);
    for (const p of properties(schema)) onMethod(target, key, ApiQuery({ name: p.name, required: p.required, schema: p.schema as never }));
  };
}

/** The JSON body, validated by `schema` and documented from it. */
export function JsonBody(schema: z.ZodMiniType, description?: string): ParameterDecorator {
  return (target, key, index) => {
    Body(new SchemaPipe(schema, 'body'))(target, key, index);
    onMethod(target, key, ApiBody({ schema: openApiSchema(schema) as never, ...(description ? { description } : {}) }));
  };
}
