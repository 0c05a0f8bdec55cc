/**
 * Who an OpenID Connect ID token is to a Kubernetes API server, computed the way the API
 * server's own JWT authenticator computes it, so that a cluster reached by impersonation sees
 * the same user and groups as a cluster that trusts the provider directly.
 *
 * Sources (Kubernetes documentation, "Authenticating", section "OpenID Connect Tokens", and
 * the `AuthenticationConfiguration` `jwt[].claimMappings` it describes):
 * - the username is the value of the username claim (`--oidc-username-claim`,
 *   `claimMappings.username.claim`), a non-empty string, with the username prefix put in front
 *   (`--oidc-username-prefix`, `claimMappings.username.prefix`);
 * - when the username claim is `email`, the token's `email_verified` claim, if present, must be
 *   `true` (the API server refuses the token otherwise);
 * - the groups are the value of the groups claim (`--oidc-groups-claim`,
 *   `claimMappings.groups.claim`), a string or an array of strings, each with the groups
 *   prefix put in front (`--oidc-groups-prefix`, `claimMappings.groups.prefix`); no claim: no groups.
 *
 * The result is sent as `Impersonate-User` and one `Impersonate-Group` per group (documentation,
 * "User impersonation"). Prefixes here are given explicitly, as `claimMappings` requires; the
 * legacy flag's default of `<issuer>#` for a claim other than `email` is not guessed.
 *
 * One rule of Cairn's own on top: names starting with `system:` are refused, since they are
 * reserved for Kubernetes' own components and groups (`system:masters` is cluster-admin by
 * itself): an impersonating gateway must never pass one on from a token.
 */

/** How claims map to a Kubernetes user: `claimMappings` of an AuthenticationConfiguration. */
export interface ClaimMapping {
  /** Claim holding the username (default `email`, as Cairn's documented API server setup). */
  usernameClaim: string;
  /** Put before the username (`''`: none). */
  usernamePrefix: string;
  /** Claim holding the groups (default `groups`). */
  groupsClaim: string;
  /** Put before each group (`''`: none). */
  groupsPrefix: string;
}

export const DEFAULT_CLAIM_MAPPING: ClaimMapping = { usernameClaim: 'email', usernamePrefix: '', groupsClaim: 'groups', groupsPrefix: '' };

/** At most this many groups are taken from one token (each becomes a header); more is refused. */
export const MAX_IMPERSONATED_GROUPS = 100;

/** At most this many characters in a mapped username or group. */
export const MAX_IMPERSONATED_NAME = 1024;

/** The Kubernetes identity a token's claims map to. */
export interface MappedUser {
  username: string;
  groups: string[];
}

/** Why a token's claims give no usable identity; the message says which claim and what to do. */
export class ClaimMappingError extends Error {}

/**
 * The user and groups `claims` (an ID token's verified payload) map to under `mapping`.
 * Throws ClaimMappingError when the username claim is missing or not a non-empty string,
 * `email_verified` is false, a name has characters other than printable ASCII, the groups claim is neither a string nor an array of strings,
 * there are more than MAX_IMPERSONATED_GROUPS groups, a name is longer than
 * MAX_IMPERSONATED_NAME, or a name starts with `system:`.
 */
export function userFromClaims(claims: Readonly<Record<string, unknown>>, mapping: ClaimMapping = DEFAULT_CLAIM_MAPPING): MappedUser {
  const raw = claims[mapping.usernameClaim];
  if (typeof raw !== 'string' || raw === '') {
    throw new ClaimMappingError(`the ID token has no "${mapping.usernameClaim}" claim to name the user by (a non-empty string is needed)`);
  }
  if (mapping.usernameClaim === 'email' && 'email_verified' in claims && claims['email_verified'] !== true) {
    throw new ClaimMappingError('the ID token says the e-mail address is not verified (email_verified), and the API server accepts an e-mail username only when it is');
  }
  const username = mapping.usernamePrefix + raw;
  const value = claims[mapping.groupsClaim];
  let names: string[];
  if (value === undefined || value === null) names = [];
  else if (typeof value === 'string') names = [value];
  else if (Array.isArray(value) && value.every((g): g is string => typeof g === 'string')) names = value;
  else throw new ClaimMappingError(`the ID token's "${mapping.groupsClaim}" claim is neither a string nor a list of strings`);
  if (names.length > MAX_IMPERSONATED_GROUPS) {
    throw new ClaimMappingError(`the ID token names ${names.length} groups; Cairn passes on at most ${MAX_IMPERSONATED_GROUPS}`);
  }
  const groups = [...new Set(names.map((g) => mapping.groupsPrefix + g))];
  for (const name of [username, ...groups]) {
    if (name.length > MAX_IMPERSONATED_NAME) throw new ClaimMappingError(`a user or group name from the ID token is ${name.length} characters long; at most ${MAX_IMPERSONATED_NAME}`);
    if (!/^[\x20-\x7e]+$/.test(name)) throw new ClaimMappingError(`the user or group name "${name.slice(0, 100)}" from the ID token has characters an HTTP header cannot carry (printable ASCII only)`);
    if (name.startsWith('system:')) throw new ClaimMappingError(`the ID token would make the gateway act as "${name}", a name Kubernetes reserves for its own components (system:)`);
  }
  return { username, groups };
}

/**
 * The headers that ask the API server to act as `user` (documentation, "User impersonation"):
 * `Impersonate-User`, and `Impersonate-Group` repeated once per group (an array: Node sends one
 * header line per value).
 */
export function impersonationHeaders(user: MappedUser): Record<string, string | string[]> {
  return user.groups.length ? { 'Impersonate-User': user.username, 'Impersonate-Group': user.groups } : { 'Impersonate-User': user.username };
}
