import { Controller, DynamicModule, Get, Header, Inject, Module, Res } from '@nestjs/common';
import type { HealthReport, ReadinessCheck, VersionInfo } from '@cairn/api-contracts';
import type { FastifyReply } from 'fastify';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the release number lives in the workspace's package.json
import workspacePackage from '../../../../../package.json';

/** The readiness conditions of one service, evaluated on every `/readyz`. */
export type ReadinessProbe = () => ReadinessCheck[] | Promise<ReadinessCheck[]>;

const READINESS_PROBE = Symbol('READINESS_PROBE');

/** Liveness and readiness in the shape kubelets and load balancers expect (200 or 503). */
@Controller()
class HealthController {
  constructor(@Inject(READINESS_PROBE) private readonly probe: ReadinessProbe) {}

  @Get('healthz')
  @Header('cache-control', 'no-store')
  live(): HealthReport {
    return { status: 'ok', checks: [{ name: 'process', ok: true }] };
  }

  @Get('readyz')
  @Header('cache-control', 'no-store')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const checks = await this.probe();
    const ok = checks.every((check) => check.ok);
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'failing', checks };
  }
}

@Module({})
export class HealthModule {
  static register(probe: ReadinessProbe): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [{ provide: READINESS_PROBE, useValue: probe }],
    };
  }
}

/** What `GET …/version` answers; the release comes from the workspace's package.json. */
export function versionInfo(service: string): VersionInfo {
  return { name: 'cairn', service, version: workspacePackage.version, node: process.version };
}
