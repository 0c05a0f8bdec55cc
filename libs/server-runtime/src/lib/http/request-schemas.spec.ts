import { Controller, Get, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import * as z from 'zod/mini';
import { fromConsoleGuard } from './from-console.guard';
import { JsonBody, PathParams, QueryParams } from './request-schemas';
import { createService } from './start-service';

const Params = z.object({ namespace: z.string().check(z.regex(/^[a-z]+$/, { error: 'must be lowercase letters' })) });
const Query = z.object({
  limit: z.optional(z.pipe(z.string(), z.pipe(z.transform((v: string) => Number(v)), z.number().check(z.int({ error: 'must be a whole number from 1 to 10' }), z.gte(1, { error: 'must be a whole number from 1 to 10' }), z.lte(10, { error: 'must be a whole number from 1 to 10' }))))),
});
const Body = z.object({ text: z.string().check(z.maxLength(100, { error: 'must be at most 100 characters (the bound on a note)' })), replicas: z.number({ error: 'must be a number' }) });

@Controller('ns')
class NotesController {
  @Get(':namespace')
  list(@PathParams(Params) p: z.output<typeof Params>, @QueryParams(Query) q: z.output<typeof Query>): unknown {
    return { p, q };
  }

  @Post(':namespace')
  create(@PathParams(Params) p: z.output<typeof Params>, @JsonBody(Body) body: z.output<typeof Body>): unknown {
    return { p, body };
  }
}

@Module({ controllers: [NotesController], providers: [...fromConsoleGuard({ action: 'change anything here', isConsole: (origin) => origin === 'https://console.test', exempt: (r) => Boolean(r.headers.authorization) })] })
class NotesModule {}

describe('request schemas at the edge: one declaration validates and documents', () => {
  let app: NestFastifyApplication;
  const inject = (method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app
      .getHttpAdapter()
      .getInstance()
      .inject({ method, url, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }), headers: { 'content-type': 'application/json', 'x-cairn-csrf': '1', ...headers } });

  beforeAll(async () => {
    app = await createService(NotesModule, { name: 'test', host: '127.0.0.1', port: 0, logLevel: 'error' });
    SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, new DocumentBuilder().build()), { jsonDocumentUrl: 'openapi.json' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('hands the handler parsed values: numbers from the query', async () => {
    expect((await inject('GET', '/ns/team?limit=3')).json()).toEqual({ p: { namespace: 'team' }, q: { limit: 3 } });
  });

  it('refuses with a 400 naming each field, its rule and what was sent', async () => {
    const res = await inject('GET', '/ns/Team?limit=3');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('namespace must be lowercase letters (got "Team").');
    expect((await inject('GET', '/ns/team?limit=11')).json().message).toBe('limit must be a whole number from 1 to 10 (got 11).');
  });

  it('refuses a body over its declared size with a 413 saying which bound, and a body of the wrong shape with a 400', async () => {
    const big = await inject('POST', '/ns/team', { text: 'x'.repeat(101), replicas: 1 });
    expect(big.statusCode).toBe(413);
    expect(big.json().message).toBe('text must be at most 100 characters (the bound on a note).');
    const wrong = await inject('POST', '/ns/team', { text: 'hi', replicas: 'three' });
    expect([wrong.statusCode, wrong.json().message]).toEqual([400, 'replicas must be a number (got "three").']);
    const none = await inject('POST', '/ns/team', []);
    expect([none.statusCode, none.json().message]).toEqual([400, 'The request body must be a JSON object (Content-Type: application/json).']);
  });

  it('documents the same rules in the OpenAPI document', async () => {
    const doc = (await inject('GET', '/openapi.json')).json();
    const get = doc.paths['/ns/{namespace}'].get;
    expect(get.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'namespace', in: 'path', required: true, schema: expect.objectContaining({ pattern: '^[a-z]+$' }) }),
        expect.objectContaining({ name: 'limit', in: 'query', required: false }),
      ]),
    );
    const body = doc.paths['/ns/{namespace}'].post.requestBody.content['application/json'].schema;
    expect(body).toEqual(expect.objectContaining({ type: 'object', required: ['text', 'replicas'] }));
    expect(body.properties.text).toEqual(expect.objectContaining({ maxLength: 100 }));
  });

  it('the CSRF/Origin guard: changes need the header and the console\u2019s origin, unless exempt; reads pass', async () => {
    const ok = { text: 'hi', replicas: 1 };
    expect((await inject('POST', '/ns/team', ok, { 'x-cairn-csrf': '' })).statusCode).toBe(403);
    expect((await inject('POST', '/ns/team', ok, { 'x-cairn-csrf': '' })).json().message).toContain('x-cairn-csrf: 1');
    const foreign = await inject('POST', '/ns/team', ok, { origin: 'https://evil.test' });
    expect([foreign.statusCode, foreign.json().message]).toEqual([403, 'Requests from "https://evil.test" may not change anything here.']);
    expect((await inject('POST', '/ns/team', ok, { origin: 'null' })).statusCode).toBe(403);
    expect((await inject('POST', '/ns/team', ok, { origin: 'https://console.test' })).statusCode).toBe(201);
    expect((await inject('POST', '/ns/team', ok, { 'x-cairn-csrf': '', authorization: 'Bearer t' })).statusCode).toBe(201);
    expect((await inject('GET', '/ns/team', undefined, { 'x-cairn-csrf': '', origin: 'https://evil.test' })).statusCode).toBe(200);
  });
});
