import type { Page } from 'playwright-core';
import { SealedBox, Session, SESSION_COOKIE, SESSION_PURPOSE } from '@cairn/session';
import { screenshot } from './support/browser';
import type { RoundRobin, Served } from './support/round-robin';
import { Stage, startStage } from './support/stage';

/**
 * "Any replica serves any request" (issue 20 item 8), as a user behind a load balancer without
 * session affinity lives it: two all-in-one console processes with the same settings and session
 * key, a round-robin front on the public URL, and nothing shared between the two but the cookie
 * the browser carries. Every request goes to the next replica in turn; the few hops this story
 * must see cross replicas are pinned to one so that the proof does not depend on how many
 * requests a page happens to make.
 */
describe('two replicas behind a round-robin front', () => {
  let stage: Stage;
  let front: RoundRobin;
  let page: Page;
  const [A, B] = [0, 1];

  beforeAll(async () => {
    stage = await startStage({ oidc: true, replicas: 2 });
    front = stage.cairn.front as RoundRobin;
  }, 300_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    if (page) await screenshot(page, `replicas-${expect.getState().currentTestName?.replace(/\W+/g, '-')}`);
    await page?.context().close();
  });

  const url = (path: string) => `${stage.cairn.url}${path}`;
  const main = () => page.getByRole('main');
  const deployment = (name: string) => main().getByRole('row').getByRole('link', { name, exact: true });
  const list = '/workloads/deployments?cluster=cairn-dev&ns=team-a';

  /** Signs in at the dev provider's own form, as a person does; lands on `path`. */
  async function signIn(user: string, path: string): Promise<void> {
    // The provider's certificate comes from the dev cluster's CA, which this browser does not know.
    const context = await stage.browser.newContext({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
    page = await context.newPage();
    await page.goto(url(`/sign-in?returnTo=${encodeURIComponent(path)}`));
    await page.getByRole('link', { name: 'Sign in with Cairn dev' }).click();
    await page.getByLabel('Username').fill(user);
    await page.getByLabel('Password').fill(`${user}-dev-password`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(url(`${path.split('?')[0]}**`));
  }

  const sessionBox = () => new SealedBox([stage.cairn.sessionKey], SESSION_PURPOSE);
  const sessionInBrowser = async () => sessionBox().open<Session>((await page.context().cookies(stage.cairn.url)).find((c) => c.name === SESSION_COOKIE)?.value as string);

  /** Time passes: the ID token in the browser's session runs out a minute ago (its refresh token is still good). */
  async function expireToken(): Promise<void> {
    const session = (await sessionInBrowser()) as Session;
    const expired: Session = { ...session, oidc: { ...(session.oidc as NonNullable<Session['oidc']>), expiresAt: Math.floor(Date.now() / 1000) - 60 } };
    await page.context().addCookies([{ name: SESSION_COOKIE, value: await sessionBox().seal(expired, { ttlSeconds: 3600 }), url: stage.cairn.url }]);
  }

  /** POST /auth/refresh from the page, as the shell sends it; `tab` only tells the front where to send it. */
  const renew = (tab: string) => page.evaluate(async (t) => (await fetch(`auth/refresh?tab=${t}`, { method: 'POST', headers: { 'x-cairn-csrf': '1' } })).status, tab);

  /** The tab's watch of team-a's Deployments in one /api/v1/watch request, with the resourceVersion it resumes from. */
  const deploymentsWatch = (s: Served) =>
    (JSON.parse(new URL(s.url, 'http://front').searchParams.get('subscriptions') ?? '[]') as Array<{ resource: string; namespace?: string; resourceVersion?: string }>).find(
      (w) => w.resource === 'deployments' && w.namespace === 'team-a',
    );

  it('two tabs renew the same expired session at the same moment, one through each replica: both are renewed, and the session renews again later', async () => {
    await signIn('alice', list);
    await deployment('web').waitFor();
    await expireToken();
    // Each replica has its own "one renewal per refresh token" memory, so two tabs that renew at
    // once through two replicas spend the refresh token at the provider twice; the front lets
    // both go at the same moment. The dev provider does not rotate a confidential client's
    // refresh token, so both renew here; one that rotates would refuse the second, which the
    // auth service answers as a race and keeps the session (auth.spec.ts covers that answer).
    front.pin(/^\/auth\/refresh\?tab=a\b/, A);
    front.pin(/^\/auth\/refresh\?tab=b\b/, B);
    const held = [front.hold(/^\/auth\/refresh\?tab=a\b/), front.hold(/^\/auth\/refresh\?tab=b\b/)];
    const statuses = Promise.all([renew('a'), renew('b')]);
    await Promise.all(held.map((h) => h.arrived));
    for (const h of held) h.release();
    expect(await statuses).toEqual([200, 200]);
    expect(front.requests(/^\/auth\/refresh\?tab=/).map((s) => [s.replica, s.status]).sort()).toEqual([
      [A, 200],
      [B, 200],
    ]);
    expect((await sessionInBrowser())?.oidc?.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(await page.evaluate(async () => (await fetch('api/v1/clusters/cairn-dev/whoami')).status)).toBe(200);

    // Whichever answer the browser kept, its refresh token still works at the next renewal.
    await expireToken();
    expect(await renew('a')).toBe(200);
    expect((await sessionInBrowser())?.oidc?.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it('alice signs in through one replica, is renewed by the other, and her live list resumes on the other when its replica dies, missing nothing', async () => {
    front.pin(/^\/auth\/login\b/, A);
    front.pin(/^\/oidc-callback\b/, B);
    front.pin(/^\/auth\/refresh\b/, A);
    const unpinWatch = front.pin(/^\/api\/v1\/watch\b/, A);
    const start = front.served.length;

    // Signing in: replica A starts the flow (its sign-in cookie carries state, nonce and PKCE
    // verifier), replica B finishes it from that cookie alone and seals the session.
    await signIn('alice', list);
    await deployment('web').waitFor();
    await page.getByRole('button', { name: 'alice@cairn.test' }).waitFor();
    const since = (match: RegExp) => front.served.slice(start).filter((s) => match.test(s.url));
    expect(since(/^\/auth\/login\b/)).toMatchObject([{ replica: A, status: 303 }]);
    expect(since(/^\/oidc-callback\b/)).toMatchObject([{ replica: B, status: 303 }]);

    // The session B sealed works on both: the same question, asked in turn, answered by each.
    const whoami: string[] = [];
    for (let i = 0; i < 4; i++) whoami.push(await page.evaluate(async () => ((await (await fetch('api/v1/clusters/cairn-dev/whoami')).json()) as { username: string }).username));
    expect(whoami).toEqual(Array(4).fill('alice@cairn.test'));
    expect(new Set(since(/\/whoami$/).map((s) => `${s.replica} ${s.status}`))).toEqual(new Set([`${A} 200`, `${B} 200`]));

    // Time passes: the ID token in the session B sealed runs out (the refresh token is still
    // good). The shell renews it without the user noticing, through replica A.
    await expireToken();
    await page.reload();
    await deployment('queue-worker').waitFor();
    const refresh = await front.whenServed((s, i) => i >= start && /^\/auth\/refresh\b/.test(s.url) && s.status !== undefined, 'session renewal');
    expect(refresh).toMatchObject({ replica: A, status: 200 });
    expect(since(/^\/auth\/refresh\b/).every((s) => s.replica === A && s.status === 200)).toBe(true);
    expect((await sessionInBrowser())?.oidc?.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(await main().getByRole('alert').count()).toBe(0);

    // The list follows the cluster through one server-sent-events stream, served by replica A.
    const stream = await front.whenServed((s, i) => i >= start && /^\/api\/v1\/watch\b/.test(s.url) && s.replica === A && s.status === 200 && !s.ended && deploymentsWatch(s) !== undefined, 'open watch stream on replica A');
    const listedAt = BigInt(deploymentsWatch(stream)?.resourceVersion ?? '0');
    expect(listedAt).toBeGreaterThan(0n);

    // Replica A dies (an OOM kill, a lost node). The browser's stream drops and it reconnects;
    // the front holds that reconnection while the cluster changes, so the changes can only reach
    // the screen if the stream resumes where it stopped.
    const reconnect = front.hold(/^\/api\/v1\/watch\b/);
    unpinWatch();
    const afterDeath = front.served.length;
    await stage.cairn.replicas?.[A].kill();
    const resumed = await reconnect.arrived;
    expect(stream.ended).toBe(true);
    const admin = stage.cluster.adminApi();
    const created = await admin.json<{ metadata: { resourceVersion: string } }>('POST', '/apis/apps/v1/namespaces/team-a/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cache', namespace: 'team-a' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'cache' } },
        template: { metadata: { labels: { app: 'cache' } }, spec: { containers: [{ name: 'cache', image: 'ghcr.io/cairn-test/cache:7.2.0' }] } },
      },
    });
    expect((await admin.send('DELETE', '/apis/apps/v1/namespaces/team-a/deployments/queue-worker')).status).toBe(200);
    reconnect.release();

    await deployment('cache').waitFor();
    await deployment('queue-worker').waitFor({ state: 'detached' });
    await deployment('web').waitFor();
    // The stream resumed on replica B from a resourceVersion older than both changes: B never
    // saw this tab before, and replayed what it missed from the API server, not from memory.
    expect(resumed).toMatchObject({ replica: B, status: 200 });
    const resumedFrom = BigInt(deploymentsWatch(resumed)?.resourceVersion ?? '0');
    expect(resumedFrom).toBeGreaterThanOrEqual(listedAt);
    expect(resumedFrom).toBeLessThan(BigInt(created.metadata.resourceVersion));
    // Nothing listed the Deployments again: the changes came through the resumed watch.
    expect(front.served.slice(afterDeath).filter((s) => /\/resources\/apps\/v1\/deployments\?/.test(s.url))).toEqual([]);
    expect(front.served.slice(afterDeath).every((s) => s.replica !== A)).toBe(true);
  });
});
