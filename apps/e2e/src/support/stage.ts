import { DevCluster, DevClusterOptions, DevUserName } from '@cairn/kube-testenv';
import type { MfeRemote } from '@cairn/api-contracts';
import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { ConsoleUnderTest, startConsole } from './console-under-test';

/** Everything a story needs: a real cluster, the built console on it, and Chromium. */
export interface Stage {
  cluster: DevCluster;
  cairn: ConsoleUnderTest;
  browser: Browser;
  /**
   * A new browser tab of `user`, signed in: a real ID token from the dev provider, sealed
   * into the session cookie as the auth service seals it (the sign-in itself is tested in
   * sign-in.e2e-spec.ts). Close it with `page.context().close()`.
   */
  signedIn(user: DevUserName, viewport?: { width: number; height: number }): Promise<Page>;
  stop(): Promise<void>;
}

export interface StageOptions {
  /** Sign-in through the dev OpenID provider (otherwise stories seal sessions themselves). */
  oidc?: boolean;
  remotes?: MfeRemote[];
  /** Extra settings for both services; a function may first prepare the cluster (e.g. a service account). */
  settings?: Record<string, string> | ((cluster: DevCluster) => Promise<Record<string, string>>);
  /** Several all-in-one processes behind a round-robin front, instead of the two services (see startConsole). */
  replicas?: number;
  /** Options of the dev cluster (e.g. `metrics: true` for metrics-server). */
  cluster?: DevClusterOptions;
}

/** A new browser tab of `user`, signed in to `cairn` (a console on `cluster`), as Stage.signedIn; also for a second console on the same cluster. */
export async function signedInTo(cluster: DevCluster, cairn: ConsoleUnderTest, browser: Browser, user: DevUserName, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const tokens = await cluster.login(user);
  const now = Math.floor(Date.now() / 1000);
  const session: Session = { v: 1, issuedAt: now, oidc: { token: tokens.idToken, expiresAt: now + tokens.expiresIn, user: { name: `${user}@cairn.test`, email: `${user}@cairn.test` } } };
  const context = await browser.newContext({ viewport });
  await context.addCookies([{ name: SESSION_COOKIE, value: await new SealedBox([cairn.sessionKey], SESSION_PURPOSE).seal(session, { ttlSeconds: 3600 }), url: cairn.url }]);
  return context.newPage();
}

export async function startStage(options: StageOptions = {}): Promise<Stage> {
  const cluster = await DevCluster.start(options.cluster);
  const { oidc } = cluster.info;
  const cairn = await startConsole(
    options.remotes ?? [],
    {
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
      ...(typeof options.settings === 'function' ? await options.settings(cluster) : options.settings),
    },
    { replicas: options.replicas },
  );
  const browser = await launchBrowser();
  return {
    cluster,
    cairn,
    browser,
    signedIn: (user, viewport) => signedInTo(cluster, cairn, browser, user, viewport),
    stop: async () => {
      await browser.close();
      await cairn.stop();
      await cluster.stop();
    },
  };
}
