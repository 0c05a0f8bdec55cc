import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createService } from '@cairn/server-runtime';
import { AppModule } from './app.module';

describe('auth service over HTTP', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createService(AppModule, { name: 'auth-service', host: '127.0.0.1', port: 0, logLevel: 'error' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  const get = (url: string) => app.getHttpAdapter().getInstance().inject({ method: 'GET', url });

  it('answers liveness and readiness', async () => {
    expect((await get('/healthz')).statusCode).toBe(200);
    expect((await get('/readyz')).json().status).toBe('ok');
  });

  it('answers its version under /auth, the prefix the gateway forwards', async () => {
    expect((await get('/auth/v1/version')).json()).toMatchObject({ name: 'cairn', service: 'auth-service' });
  });
});
