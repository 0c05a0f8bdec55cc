import { DevCluster } from '@cairn/kube-testenv';
import type { MfeRemote } from '@cairn/api-contracts';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { ConsoleUnderTest, startConsole } from './console-under-test';

/** Everything a story needs: a real cluster, the built console on it, and Chromium. */
export interface Stage {
  cluster: DevCluster;
  cairn: ConsoleUnderTest;
  browser: Browser;
  stop(): Promise<void>;
}

export interface StageOptions {
  /** Sign-in through the dev OpenID provider (otherwise stories seal sessions themselves). */
  oidc?: boolean;
  remotes?: MfeRemote[];
  settings?: Record<string, string>;
}

export async function startStage(options: StageOptions = {}): Promise<Stage> {
  const cluster = await DevCluster.start();
  const { oidc } = cluster.info;
  const cairn = await startConsole(options.remotes ?? [], {
    KUBECONFIG: cluster.info.kubeconfig,
    ...(options.oidc
      ? {
          CAIRN_CA_BUNDLE: oidc.caFile,
          OIDC_ISSUER_URL: oidc.issuer,
          OIDC_CLIENT_ID: oidc.clients.cairn.clientId,
          OIDC_CLIENT_SECRET: oidc.clients.cairn.clientSecret as string,
          OIDC_SCOPES: 'openid profile email groups offline_access',
          OIDC_PROVIDER_NAME: 'Cairn dev',
        }
      : {}),
    ...options.settings,
  });
  const browser = await launchBrowser();
  return {
    cluster,
    cairn,
    browser,
    stop: async () => {
      await browser.close();
      await cairn.stop();
      await cluster.stop();
    },
  };
}
