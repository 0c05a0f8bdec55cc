import { DevCluster } from './cluster';

describe('older cluster with the impersonation seed (throw-away check)', () => {
  it('starts, seeds the impersonator and writes the audit log', async () => {
    const cluster = await DevCluster.start({ kubernetes: 'older' });
    try {
      expect(cluster.info.impersonation?.context).toBe('cairn-dev-impersonated');
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(cluster.info.auditLog, 'utf8').length).toBeGreaterThan(0);
    } finally {
      await cluster.stop();
    }
  }, 300_000);
});
