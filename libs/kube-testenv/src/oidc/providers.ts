import type { DevOidcProviderName } from '../cluster';
import { KEYCLOAK_VERSION } from '../keycloak';

/**
 * What a test needs to know of each OpenID provider a dev cluster can run, so one spec runs
 * against both (`describe.each(DEV_OIDC_PROVIDER_LIST)`): the name a console shows on its
 * button, the labels of the provider's own login form, and how its access tokens differ from
 * its ID tokens.
 */
export interface DevOidcProvider {
  name: DevOidcProviderName;
  /** For test titles, e.g. `Keycloak 24.0.5`. */
  title: string;
  /** The console's `OIDC_PROVIDER_NAME` in tests: the button reads `Sign in with <this>`. */
  buttonName: string;
  /**
   * Accessible names on the provider's login page (Playwright getByLabel / getByRole button,
   * exact), and the text it shows when it refuses a password.
   */
  loginForm: { username: string; password: string; submit: string; refusal: string };
  /**
   * What marks an access token (as opposed to an ID token) of the `cairn` client: claims of
   * its JOSE header and payload, for `toMatchObject`. The dev provider issues RFC 9068 tokens
   * (`typ: at+jwt`, `client_id`); Keycloak its own (`typ: Bearer` in the payload, `azp`).
   */
  accessToken: { header: Record<string, unknown>; payload: Record<string, unknown> };
}

export const DEV_OIDC_PROVIDERS: Record<DevOidcProviderName, DevOidcProvider> = {
  dev: {
    name: 'dev',
    title: 'the dev provider',
    buttonName: 'Cairn dev',
    loginForm: { username: 'Username', password: 'Password', submit: 'Sign in', refusal: 'Wrong username or password.' },
    accessToken: { header: { typ: 'at+jwt' }, payload: { client_id: 'cairn' } },
  },
  keycloak: {
    name: 'keycloak',
    title: `Keycloak ${KEYCLOAK_VERSION}`,
    buttonName: 'Keycloak',
    loginForm: { username: 'Username or email', password: 'Password', submit: 'Sign In', refusal: 'Invalid username or password.' },
    accessToken: { header: { typ: 'JWT' }, payload: { typ: 'Bearer', azp: 'cairn' } },
  },
};

/** Both providers, the dev provider first, for `describe.each`. */
export const DEV_OIDC_PROVIDER_LIST: DevOidcProvider[] = [DEV_OIDC_PROVIDERS.dev, DEV_OIDC_PROVIDERS.keycloak];
