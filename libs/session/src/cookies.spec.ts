import { clearCookie, CookieTooLargeError, MAX_COOKIE_VALUE, parseCookies, readCookie, writeCookie } from './cookies';
import { cookieNames } from './names';

const options = { name: 'cairn_session', path: '/', secure: true, maxAgeSeconds: 3600 };

/** What a browser would send back after these Set-Cookie headers. */
function browserAfter(setCookies: string[], before: Record<string, string> = {}): Record<string, string> {
  const jar = { ...before };
  for (const header of setCookies) {
    const [pair] = header.split(';');
    const [name, value] = (pair as string).split('=') as [string, string];
    if (/Max-Age=0/.test(header)) delete jar[name];
    else jar[name] = value;
  }
  return jar;
}

describe('session cookies', () => {
  it('sets one HttpOnly, Secure, SameSite=Lax cookie scoped to the base path', () => {
    const [header] = writeCookie('abc', { ...options, path: '/cairn/' });
    expect(header).toBe('cairn_session=abc; Path=/cairn/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure');
    expect(writeCookie('abc', { ...options, secure: false })[0]).not.toContain('Secure');
  });

  it('splits a large value into pieces and reads it back whole', () => {
    const value = 'x'.repeat(MAX_COOKIE_VALUE * 2 + 10);
    const headers = writeCookie(value, options);
    expect(headers.map((h) => h.split('=')[0])).toEqual(['cairn_session.0', 'cairn_session.1', 'cairn_session.2']);
    expect(readCookie('cairn_session', browserAfter(headers))).toBe(value);
  });

  it('removes the leftover pieces when the value shrinks', () => {
    const big = browserAfter(writeCookie('y'.repeat(MAX_COOKIE_VALUE + 5), options));
    const jar = browserAfter(writeCookie('small', options, big), big);
    expect(Object.keys(jar)).toEqual(['cairn_session']);
    expect(readCookie('cairn_session', jar)).toBe('small');
  });

  it('refuses a session larger than the browser and server accept', () => {
    expect(() => writeCookie('z'.repeat(MAX_COOKIE_VALUE * 3 + 1), options)).toThrow(CookieTooLargeError);
  });

  it('clears every piece', () => {
    const jar = browserAfter(writeCookie('w'.repeat(MAX_COOKIE_VALUE + 5), options));
    expect(browserAfter(clearCookie(options, jar), jar)).toEqual({});
  });

  it('parses a Cookie header', () => {
    expect(parseCookies('a=1; cairn_session=x.y; b=')).toEqual({ a: '1', cairn_session: 'x.y', b: '' });
    expect(parseCookies(undefined)).toEqual({});
  });

  it('treats a cookie sent twice (a sibling subdomain set one too) as no cookie at all', () => {
    const jar = parseCookies('cairn_session=planted; a=1; cairn_session=real');
    expect(readCookie('cairn_session', jar)).toBeUndefined();
    expect(readCookie('a', jar)).toBe('1');
    const split = parseCookies('cairn_session.0=aa; cairn_session.1=bb; cairn_session.0=zz');
    expect(readCookie('cairn_session', split)).toBeUndefined();
    expect(readCookie('cairn_session', parseCookies('cairn_session.0=aa; cairn_session.1=bb'))).toBe('aabb');
  });
});

describe('cookieNames', () => {
  it('uses the __Host- prefix only at / over a secure origin', () => {
    expect(cookieNames({ secure: true, path: '/' })).toEqual({ session: '__Host-cairn_session', state: '__Host-cairn_signin' });
    expect(cookieNames({ secure: true, path: '/cairn' })).toEqual({ session: 'cairn_session', state: 'cairn_signin' });
    expect(cookieNames({ secure: false, path: '/' })).toEqual({ session: 'cairn_session', state: 'cairn_signin' });
  });
});
