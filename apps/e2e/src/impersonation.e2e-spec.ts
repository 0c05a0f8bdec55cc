import { delimiter } from 'node:path';
import { DEV_IMPERSONATOR, DevCluster, DevUserName } from '@cairn/kube-testenv';
import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import type { ConsoleUnderTest } from './support/console-under-test';
import { Stage, startStage } from './support/stage';

/**
 * Impersonation mode (issue 24 item 1) as people meet it: the console has the dev API server
 * twice, `cairn-dev` (it trusts the dev provider's ID tokens) and `cairn-dev-impersonated` (the
 * gateway's ServiceAccount with Impersonate-User/-Group from each person's verified ID token).
 * What a person is offered comes from the access reviews the API server answers for them, so
 * the same person must be offered the same actions on both.
 */
describe('impersonation', () => {
  let stage: Stage;
  let cluster: DevCluster;
  let cairn: ConsoleUnderTest;
  let page: Page;
  const IMPERSONATED = DEV_IMPERSONATOR.context;

  beforeAll(async () => {
    stage = await startStage({
      settings: async (c) => {
        const impersonation = c.info.impersonation;
        if (!impersonation) throw new Error('the dev cluster has no impersonation kubeconfig');
        return { KUBECONFIG: `${c.info.kubeconfig}${delimiter}${impersonation.kubeconfig}`, CAIRN_IMPERSONATE_CLUSTERS: IMPERSONATED };
      },
    });
    ({ cluster, cairn } = stage);
  }, 240_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story');
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const rowOf = (name: string) => main().getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

  const webPod = async () => {
    const pods = await cluster.adminApi().get<{ items: Array<{ metadata: { name: string }; status?: { phase?: string } }> }>('/api/v1/namespaces/team-a/pods?labelSelector=app.kubernetes.io%2Fname%3Dweb');
    const running = pods.items.find((p) => p.status?.phase === 'Running');
    if (!running) throw new Error('no running web pod in team-a');
    return running.metadata.name;
  };

  /** What `user` is offered on the pods list of team-a and on one pod's page, on `clusterName`, once the access reviews have answered (`settled`). */
  const offered = async (clusterName: string, pod: string, settled: () => Promise<unknown>) => {
    await page.goto(`${cairn.url}/workloads/pods?cluster=${clusterName}&ns=team-a`);
    await rowOf(pod).waitFor({ timeout: 60_000 });
    await settled();
    const selectable = await rowOf(pod).getByRole('checkbox').count();
    await page.goto(`${cairn.url}/workloads/pods/team-a/${pod}?cluster=${clusterName}`);
    await main().getByRole('heading', { name: `Pod ${pod}` }).waitFor({ timeout: 60_000 });
    await settled();
    const toolbar = main().getByRole('toolbar', { name: 'Actions' });
    return {
      selectable,
      actions: (await toolbar.locator('button, a').allInnerTexts()).map((t) => t.trim()).filter(Boolean).sort(),
      tabs: (await main().getByRole('tab').allInnerTexts()).map((t) => t.trim()).sort(),
    };
  };

  const signedIn = (user: DevUserName, viewport?: { width: number; height: number }) => stage.signedIn(user, viewport ?? { width: 1280, height: 900 });

  it('alice opens the pods of team-a on the impersonated cluster and is offered what she is offered on the cluster that trusts the provider', async () => {
    page = await signedIn('alice');
    const pod = await webPod();
    // Her rights are edit in team-a: bulk selection on the list, a terminal on the pod. Waiting for them is waiting for the reviews.
    const aliceSettled = async () => {
      if (page.url().includes('/pods?')) await rowOf(pod).getByRole('checkbox').waitFor({ timeout: 30_000 });
      else await main().getByRole('tab', { name: 'Terminal' }).waitFor({ timeout: 30_000 });
    };
    const direct = await offered('cairn-dev', pod, aliceSettled);
    const impersonated = await offered(IMPERSONATED, pod, aliceSettled);
    expect(impersonated).toEqual(direct);
    expect(impersonated.selectable).toBe(1);
    expect(impersonated.tabs).toContain('Terminal');
    await screenshot(page, 'impersonation-alice-pod');

    // Who the impersonated cluster says she is: her own name and groups, not the gateway's ServiceAccount.
    await page.goto(`${cairn.url}/clusters/${IMPERSONATED}/permissions?namespace=team-a`);
    await main().getByText('alice@cairn.test').first().waitFor({ timeout: 30_000 });
    expect(await main().getByText(/cairn-impersonator/).count()).toBe(0);
    await screenshot(page, 'impersonation-alice-permissions');
  });

  it('victor (view) is offered no action on the impersonated cluster, as on the other', async () => {
    page = await signedIn('victor');
    const pod = await webPod();
    const victorSettled = async () => {
      if (page.url().includes('/pods?')) await page.waitForTimeout(3000);
      else await main().getByText(/Read only: your role may not change this Pod/).waitFor({ timeout: 30_000 });
    };
    const direct = await offered('cairn-dev', pod, victorSettled);
    const impersonated = await offered(IMPERSONATED, pod, victorSettled);
    expect(impersonated).toEqual(direct);
    expect(impersonated.selectable).toBe(0);
    expect(impersonated.tabs).not.toContain('Terminal');
    for (const name of ['Delete', 'Debug', 'Edit']) expect(impersonated.actions).not.toContain(name);
  });

  it('on a phone, alice reads the impersonated cluster\u2019s pods and a pod\u2019s logs', async () => {
    page = await signedIn('alice', { width: 390, height: 844 });
    const pod = await webPod();
    await page.goto(`${cairn.url}/workloads/pods?cluster=${IMPERSONATED}&ns=team-a`);
    await rowOf(pod).waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await screenshot(page, 'impersonation-alice-phone-pods');
    await page.goto(`${cairn.url}/logs?cluster=${IMPERSONATED}&ns=team-a&pod=${pod}&container=web`);
    await main().getByText(/GET \//).first().waitFor({ timeout: 60_000 });
    await screenshot(page, 'impersonation-alice-phone-logs');
  });
});
