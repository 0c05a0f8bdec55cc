import { BadRequestException, Controller, Get, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createService } from './start-service';

@Controller('things')
class ThingsController {
  @Get('bad')
  bad(): never {
    throw new BadRequestException('"replicas" must be a whole number from 0 to 1000');
  }

  @Get('bug')
  bug(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'spec')");
  }

  @Post()
  create(): string {
    return 'created';
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('the error body every service answers with', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createService(ThingsModule, { name: 'test', host: '127.0.0.1', port: 0, logLevel: 'error' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  const inject = (method: 'GET' | 'POST', url: string, payload?: string) =>
    app.getHttpAdapter().getInstance().inject({ method, url, payload, headers: { 'content-type': 'application/json' } });

  it('keeps the status and message of a refused request', async () => {
    const response = await inject('GET', '/things/bad');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: '"replicas" must be a whole number from 0 to 1000' });
  });

  it('never shows a stack trace or internal message for a bug', async () => {
    const response = await inject('GET', '/things/bug');
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('spec');
    expect(response.json().message).toBe('The server failed to answer this request; the error is in its log.');
  });

  it('answers a body that is not JSON with a 400, not a 500', async () => {
    const response = await inject('POST', '/things', '{"replicas": ');
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('Bad Request');
  });

  it('points an unknown path at the API documentation', async () => {
    expect((await inject('GET', '/nope')).json().message).toBe('There is nothing at GET /nope; see /api/docs for the API.');
  });
});
