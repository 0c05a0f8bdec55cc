import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { VersionInfo } from '@cairn/api-contracts';
import { versionInfo } from '@cairn/server-runtime';

@ApiTags('console')
@Controller('api/v1')
export class VersionController {
  private readonly info = versionInfo('gateway');

  @Get('version')
  @ApiOkResponse({ description: "The console's release and runtime." })
  version(): VersionInfo {
    return this.info;
  }
}
