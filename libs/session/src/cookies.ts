/**
 * The session travels in cookies: `HttpOnly`, `SameSite=Lax`, `Secure` unless explicitly
 * served over plain HTTP on localhost, scoped to the console's base path. A value larger
 * than one cookie may hold is split into `<name>.0`, `<name>.1`, ...; stale pieces of an
 * earlier, longer value are deleted in the same response.
 */

/** Browsers accept about 4096 bytes per cookie, name and attributes included. */
export const MAX_COOKIE_VALUE = 3800;
/** Node refuses request headers over 16 KiB; stay well below with every other cookie. */
export const MAX_CHUNKS = 3;

export interface CookieOptions {
  name: string;
  /** The console's base path, e.g. `/` or `/cairn/`. */
  path: string;
  /** False only for plain-HTTP development on localhost. */
  secure: boolean;
  maxAgeSeconds: number;
}

export class CookieTooLargeError extends Error {}

/**
 * The cookies of a `Cookie` header, by name. A name sent twice maps to `''`, which readCookie
 * treats as no cookie: a browser sends two cookies of one name when a sibling subdomain or
 * another path set one too, and neither can be told to be ours, so the caller signs in again.
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name) continue;
    cookies[name] = name in cookies ? '' : part.slice(eq + 1).trim();
  }
  return cookies;
}

const chunkName = (name: string, i: number) => `${name}.${i}`;

/** The value of a possibly split cookie, or undefined when absent or incomplete. */
export function readCookie(name: string, cookies: Record<string, string>): string | undefined {
  // Present but empty: sent twice (see parseCookies), or cleared.
  if (name in cookies) return cookies[name] || undefined;
  let value = '';
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const piece = cookies[chunkName(name, i)];
    if (piece === undefined) break;
    if (piece === '') return undefined;
    value += piece;
  }
  return value || undefined;
}

function attributes(options: CookieOptions, maxAge: number): string {
  return [`Path=${options.path}`, `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Lax', ...(options.secure ? ['Secure'] : [])].join('; ');
}

/** Names of this cookie's pieces present in the request. */
function present(name: string, cookies: Record<string, string>): string[] {
  return Object.keys(cookies).filter((n) => n === name || (n.startsWith(`${name}.`) && /^\d+$/.test(n.slice(name.length + 1))));
}

/** Set-Cookie header values that store `value` and remove leftovers of a previous one. */
export function writeCookie(value: string, options: CookieOptions, requestCookies: Record<string, string> = {}): string[] {
  if (!/^[A-Za-z0-9._~-]*$/.test(value)) throw new Error('cookie values must be URL-safe (base64url, JWE compact form)');
  const pieces: Array<[string, string]> = [];
  if (value.length <= MAX_COOKIE_VALUE) pieces.push([options.name, value]);
  else {
    const count = Math.ceil(value.length / MAX_COOKIE_VALUE);
    if (count > MAX_CHUNKS) {
      throw new CookieTooLargeError(`the session is too large to store (${value.length} bytes; at most ${MAX_CHUNKS * MAX_COOKIE_VALUE}): sign out of some clusters' bearer tokens`);
    }
    for (let i = 0; i < count; i++) pieces.push([chunkName(options.name, i), value.slice(i * MAX_COOKIE_VALUE, (i + 1) * MAX_COOKIE_VALUE)]);
  }
  const written = new Set(pieces.map(([n]) => n));
  const headers = pieces.map(([n, v]) => `${n}=${v}; ${attributes(options, options.maxAgeSeconds)}`);
  for (const stale of present(options.name, requestCookies)) if (!written.has(stale)) headers.push(`${stale}=; ${attributes(options, 0)}`);
  return headers;
}

/** Set-Cookie header values that delete every piece of the cookie the request carried. */
export function clearCookie(options: CookieOptions, requestCookies: Record<string, string>): string[] {
  const names = present(options.name, requestCookies);
  return (names.length ? names : [options.name]).map((n) => `${n}=; ${attributes(options, 0)}`);
}
