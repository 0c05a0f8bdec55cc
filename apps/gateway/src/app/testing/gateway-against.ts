import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createGateway } from '../gateway';
import { readGatewaySettings } from '../settings/gateway-settings';
import type { HostileUpstream } from './hostile-upstream';

/** A gateway started by a test, listening on 127.0.0.1 on a free port. */
export interface TestGateway {
  gateway: NestFastifyApplication;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Stops the gateway and removes its kubeconfig and web root. */
  close(): Promise<void>;
}

/**
 * A gateway whose one configured cluster, `main`, is `upstream` (its CA trusted, no credential
 * of its own: callers bring theirs), with the settings `env` adds (CAIRN_MAX_*, the allowlist…).
 * Loopback is opened for user-added clusters (CAIRN_USER_CLUSTER_ALLOW=127.0.0.1/32), as the
 * dev stack does, since the test servers listen there.
 */
export async function gatewayAgainst(upstream: HostileUpstream, env: Record<string, string> = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-test-gateway-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'main', cluster: { server: upstream.url, 'certificate-authority-data': Buffer.from(upstream.ca).toString('base64') } }],
      contexts: [{ name: 'main', context: { cluster: 'main', user: 'nobody' } }],
      users: [{ name: 'nobody', user: {} }],
    }),
  );
  const test = await gatewayFor(kubeconfig, { CAIRN_WEB_ROOT: dir, ...env });
  return {
    ...test,
    close: async () => {
      await test.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A gateway configured with `kubeconfig` (a dev cluster's, or a test's own), a session key,
 * no in-cluster config, loopback open for user-added clusters, error-level logs, and the
 * settings `env` adds or overrides.
 */
export async function gatewayFor(kubeconfig: string, env: Record<string, string> = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-test-web-'));
  const settings = readGatewaySettings(
    { KUBECONFIG: kubeconfig, CAIRN_WEB_ROOT: dir, CAIRN_SESSION_KEY: 's'.repeat(48), CAIRN_LOG_LEVEL: 'error', CAIRN_IN_CLUSTER: 'false', CAIRN_USER_CLUSTER_ALLOW: '127.0.0.1/32', ...env },
    process.cwd(),
  );
  const gateway = await createGateway({ ...settings, port: 0 });
  await gateway.listen(0, '127.0.0.1');
  const address = gateway.getHttpServer().address();
  return {
    gateway,
    base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: async () => {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
