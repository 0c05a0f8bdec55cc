import { Controller, Get } from '@nestjs/common';
import type { VersionInfo } from '@cairn/api-contracts';
import { versionInfo } from '@cairn/server-runtime';

/** Under `/auth`, the prefix the gateway forwards to this service. */
@Controller('auth/v1')
export class VersionController {
  private readonly info = versionInfo('auth-service');

  @Get('version')
  version(): VersionInfo {
    return this.info;
  }
}
