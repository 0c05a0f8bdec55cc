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
  /** The tab's watch of team-a's Deployments in one /api/v1/watch request, with the resourceVersion it resumes from. */
  const deploymentsWatch = (s: Served) =>
    (JSON.parse(new URL(s.url, 'http://front').searchParams.get('subscriptions') ?? '[]') as Array<{ resource: string; namespace?: string; resourceVersion?: string }>).find(
      (w) => w.resource === 'deployments' && w.namespace === 'team-a',
    );

  it('alice signs in through one replica, is renewed by the other, and her live list resumes on the other when its replica dies, missing nothing', async () => {
    front.pin(/^\/auth\/login\b/, A);
    front.pin(/^\/oidc-callback\b/, B);
    front.pin(/^\/auth\/refresh\b/, A);
    const unpinWatch = front.pin(/^\/api\/v1\/watch\b/, A);
    const list = '/workloads/deployments?cluster=cairn-dev&ns=team-a';

    // Signing in: replica A starts the flow (its sign-in cookie carries state, nonce and PKCE
    // verifier), replica B finishes it from that cookie alone and seals the session.
    const context = await stage.browser.newContext({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
    page = await context.newPage();
    await page.goto(url(`/sign-in?returnTo=${encodeURIComponent(list)}`));
    await page.getByRole('link', { name: 'Sign in with Cairn dev' }).click();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('alice-dev-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(url('/workloads/deployments**'));
    await deployment('web').waitFor();
    await page.getByRole('button', { name: 'alice@cairn.test' }).waitFor();
    expect(front.requests(/^\/auth\/login\b/)).toMatchObject([{ replica: A, status: 303 }]);
    expect(front.requests(/^\/oidc-callback\b/)).toMatchObject([{ replica: B, status: 303 }]);

    // The session B sealed works on both: the same question, asked in turn, answered by each.
    const whoami: string[] = [];
    for (let i = 0; i < 4; i++) whoami.push(await page.evaluate(async () => ((await (await fetch('api/v1/clusters/cairn-dev/whoami')).json()) as { username: string }).username));
    expect(whoami).toEqual(Array(4).fill('alice@cairn.test'));
    expect(new Set(front.requests(/\/whoami$/).map((s) => `${s.replica} ${s.status}`))).toEqual(new Set([`${A} 200`, `${B} 200`]));

    // Time passes: the ID token in the session B sealed runs out (the refresh token is still
    // good). The shell renews it without the user noticing, through replica A.
    const box = new SealedBox([stage.cairn.sessionKey], SESSION_PURPOSE);
    const sealed = (await context.cookies(stage.cairn.url)).find((c) => c.name === SESSION_COOKIE)?.value as string;
    const session = (await box.open<Session>(sealed)) as Session;
    const expired: Session = { ...session, oidc: { ...(session.oidc as NonNullable<Session['oidc']>), expiresAt: Math.floor(Date.now() / 1000) - 60 } };
    await context.addCookies([{ name: SESSION_COOKIE, value: await box.seal(expired, { ttlSeconds: 3600 }), url: stage.cairn.url }]);
    await page.reload();
    await deployment('queue-worker').waitFor();
    const refresh = await front.whenServed((s) => /^\/auth\/refresh\b/.test(s.url) && s.status !== undefined, 'session renewal');
    expect(refresh).toMatchObject({ replica: A, status: 200 });
    expect(front.requests(/^\/auth\/refresh\b/).every((s) => s.replica === A && s.status === 200)).toBe(true);
    const renewed = await box.open<Session>((await context.cookies(stage.cairn.url)).find((c) => c.name === SESSION_COOKIE)?.value as string);
    expect(renewed?.oidc?.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(await main().getByRole('alert').count()).toBe(0);

    // The list follows the cluster through one server-sent-events stream, served by replica A.
    const stream = await front.whenServed((s) => /^\/api\/v1\/watch\b/.test(s.url) && s.replica === A && s.status === 200 && !s.ended && deploymentsWatch(s) !== undefined, 'open watch stream on replica A');
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
