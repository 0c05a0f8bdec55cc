import { Module } from '@nestjs/common';
import { HealthModule } from '@cairn/server-runtime';
import { VersionController } from './version/version.controller';

@Module({
  // Nothing to wait for yet: the service keeps no state and has no dependency at start.
  imports: [HealthModule.register(() => [{ name: 'process', ok: true }])],
  controllers: [VersionController],
})
export class AppModule {}
