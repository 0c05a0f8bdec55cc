import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { MfeManifest } from '@cairn/api-contracts';
import { MfeManifestService } from './mfe-manifest.service';

@ApiTags('micro-frontends')
@Controller()
export class MfeManifestController {
  constructor(private readonly manifests: MfeManifestService) {}

  /** The remotes the shell loads at run time. Never cached: registering a remote must show at once. */
  @Get('mfe-manifest.json')
  @Header('cache-control', 'no-cache')
  @ApiOkResponse({ description: 'The micro-frontends the shell loads at run time.' })
  manifest(): MfeManifest {
    return this.manifests.manifest;
  }
}
