import { DEV_OIDC_PROVIDERS, DevCluster, DevClusterOptions, DevOidcProvider, DevOidcProviderName, DevUserName } from '@cairn/kube-testenv';
import type { MfeRemote } from '@cairn/api-contracts';
import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, reportPageErrors } from './browser';
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
  /**
   * The console whose sign-in goes to `provider` (with `oidc`): `cairn` for the dev provider;
   * for Keycloak (a cluster started with `cluster: { keycloak: true }`) a second console with
   * the same settings on the same cluster, started at the first call and stopped with the stage.
   */
  consoleFor(provider: DevOidcProviderName): Promise<ConsoleUnderTest>;
  stop(): Promise<void>;
}

export interface StageOptions {
  /**
   * Sign-in through the dev OpenID provider (otherwise stories seal sessions themselves); with
   * `cluster: { keycloak: true }`, `consoleFor('keycloak')` gives a console signing in at Keycloak.
   */
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
  reportPageErrors(context, user);
  await context.addCookies([{ name: SESSION_COOKIE, value: await new SealedBox([cairn.sessionKey], SESSION_PURPOSE).seal(session, { ttlSeconds: 3600 }), url: cairn.url }]);
  return context.newPage();
}

/** The auth service's settings for signing in at `provider` of `cluster` as the confidential client `cairn`. */
export function oidcSettings(cluster: DevCluster, provider: DevOidcProvider): Record<string, string> {
  const { oidc } = cluster.info;
  return {
    CAIRN_CA_BUNDLE: oidc.caFile,
    OIDC_ISSUER_URL: cluster.issuer(provider.name),
    OIDC_CLIENT_ID: oidc.clients.cairn.clientId,
    OIDC_CLIENT_SECRET: oidc.clients.cairn.clientSecret as string,
    OIDC_SCOPES: 'openid profile email groups offline_access',
    OIDC_PROVIDER_NAME: provider.buttonName,
  };
}

/**
 * At `provider`'s own login page (the browser has just been sent there by "Sign in with …"),
 * fills in the username and password and submits, as a person does.
 */
export async function signInAtProvider(page: Page, provider: DevOidcProvider, user: string, password = `${user}-dev-password`): Promise<void> {
  await page.getByLabel(provider.loginForm.username, { exact: true }).fill(user);
  await page.getByLabel(provider.loginForm.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: provider.loginForm.submit, exact: true }).click();
}

export async function startStage(options: StageOptions = {}): Promise<Stage> {
  const cluster = await DevCluster.start(options.cluster);
  const settings = {
    KUBECONFIG: cluster.info.kubeconfig,
    ...(typeof options.settings === 'function' ? await options.settings(cluster) : options.settings),
  };
  const consoleWith = (provider: DevOidcProvider) =>
    startConsole(options.remotes ?? [], { ...(options.oidc ? oidcSettings(cluster, provider) : {}), ...settings }, { replicas: options.replicas });
  const cairn = await consoleWith(DEV_OIDC_PROVIDERS.dev);
  let keycloakConsole: Promise<ConsoleUnderTest> | undefined;
  const browser = await launchBrowser();
  return {
    cluster,
    cairn,
    browser,
    signedIn: (user, viewport) => signedInTo(cluster, cairn, browser, user, viewport),
    consoleFor: (provider) => {
      if (provider === 'dev') return Promise.resolve(cairn);
      keycloakConsole ??= consoleWith(DEV_OIDC_PROVIDERS.keycloak);
      return keycloakConsole;
    },
    stop: async () => {
      await browser.close();
      await (await keycloakConsole?.catch(() => undefined))?.stop();
      await cairn.stop();
      await cluster.stop();
    },
  };
}
