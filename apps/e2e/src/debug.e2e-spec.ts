import { kubectlOut } from '@cairn/kube-testenv';
import type { Page } from 'playwright-core';
import { screenshot } from './support/browser';
import { Stage, startStage } from './support/stage';
import { typeAndRead } from './support/terminal';

/**
 * Debugging a pod as `kubectl debug -it` does: an ephemeral debug container added to a running
 * pod and attached to, or a copy of a crash-looping pod with a debug container. The API server
 * decides who may (`patch pods/ephemeralcontainers`, `create pods`, `create pods/attach`); the
 * dev cluster's kwok reports ephemeral containers running (its attach only follows a sample log,
 * so the shell typed into is an exec in the debug container, which kwok runs as a real process);
 * what was created is checked with kubectl itself.
 */
describe('debugging a pod', () => {
  let stage: Stage;
  let page: Page;

  beforeAll(async () => {
    stage = await startStage();
  }, 240_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, `debug-${expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story'}`);
    await page.context().close();
  });

  const main = () => page.getByRole('main');
  const firstPod = async (selector: string) => (await stage.cluster.adminApi().get<{ items: Array<{ metadata: { name: string } }> }>(`/api/v1/namespaces/team-a/pods?labelSelector=${encodeURIComponent(selector)}`)).items[0]?.metadata.name ?? '';
  const kubectl = (args: string[]) => kubectlOut(stage.cluster, args);
  const ephemeralContainers = async (pod: string) => JSON.parse((await kubectl(['get', 'pod', '-n', 'team-a', pod, '-o', 'jsonpath={.spec.ephemeralContainers}'])) || '[]') as Array<Record<string, unknown>>;
  const containerState = async (pod: string, container: string) =>
    (await kubectl(['get', 'pod', '-n', 'team-a', pod, '-o', `jsonpath={.status.ephemeralContainerStatuses[?(@.name=="${container}")].state}{.status.containerStatuses[?(@.name=="${container}")].state}`])).trim();

  it('alice (edit in team-a) adds a debug container targeting web, is attached to it once it runs, and opens a shell in it', async () => {
    const pod = await firstPod('app.kubernetes.io/name=web');
    page = await stage.signedIn('alice', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=cairn-dev`);
    await main().getByRole('tab', { name: 'Debug' }).click();
    const form = main().getByRole('region', { name: 'Add a debug container' });
    expect(await form.getByRole('textbox', { name: 'Image' }).inputValue()).toBe('busybox:1.37');
    await form.getByRole('combobox', { name: 'Target container' }).selectOption('web');
    await form.getByRole('textbox', { name: 'Command' }).fill('sh');
    await page.screenshot({ path: '/tmp/debug-alice-form.png', fullPage: true });
    await form.getByRole('button', { name: 'Add and attach' }).click();

    // Attached once the container runs, as kubectl debug -it waits and attaches.
    await page.waitForURL(/view=exec/, { timeout: 30_000 });
    const container = new URL(page.url()).searchParams.get('container') ?? '';
    expect(container).toMatch(/^debugger-[a-z0-9]{5}$/);
    expect(new URL(page.url()).searchParams.get('shell')).toBe('attach');
    await main().getByRole('status').filter({ hasText: `Attached to ${container}` }).waitFor({ timeout: 20_000 });

    // What kubectl says was added, and that the API server reports it running.
    const added = (await ephemeralContainers(pod)).find((c) => c['name'] === container);
    expect(added).toMatchObject({ image: 'busybox:1.37', targetContainerName: 'web', command: ['sh'], stdin: true, tty: true });
    expect(await containerState(pod, container)).toContain('"running"');

    // kwok's attach only follows a log; a shell in the debug container is a real process.
    await main().getByRole('combobox', { name: 'Container' }).selectOption(container);
    await main().getByRole('combobox', { name: 'Shell' }).selectOption('/bin/sh');
    await main().getByRole('button', { name: 'Reconnect' }).click();
    await main().getByRole('status').filter({ hasText: `Connected to ${container}.` }).waitFor({ timeout: 20_000 });
    await typeAndRead(page, 'echo debug-$((6 * 7))', 'debug-42');
    await page.screenshot({ path: '/tmp/debug-alice-terminal.png', fullPage: true });
  });

  it('alice debugs a copy of the crash-looping worker on a phone: the copy form comes first, the copy has no owner or labels, and she is attached to it', async () => {
    const pod = await firstPod('app.kubernetes.io/name=queue-worker');
    page = await stage.signedIn('alice', { width: 390, height: 844 });
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=cairn-dev&view=debug`);
    const form = main().getByRole('region', { name: 'Debug a copy of this pod' });
    await form.getByText('there is no running process to join').waitFor({ timeout: 20_000 });
    expect(await form.getByRole('textbox', { name: 'Name of the copy' }).inputValue()).toBe(`${pod}-debug`);
    // Offered first for a crashing pod.
    const [copyTop, addTop] = await Promise.all([form.boundingBox(), main().getByRole('region', { name: 'Add a debug container' }).boundingBox()]);
    expect(copyTop?.y ?? 0).toBeLessThan(addTop?.y ?? 0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: '/tmp/debug-alice-copy-phone.png', fullPage: true });
    await form.getByRole('button', { name: 'Create copy and attach' }).click();

    await page.waitForURL(new RegExp(`/pods/team-a/${pod}-debug\\?.*view=exec`), { timeout: 30_000 });
    const container = new URL(page.url()).searchParams.get('container') ?? '';
    expect(container).toMatch(/^debugger-[a-z0-9]{5}$/);
    await main().getByRole('status').filter({ hasText: `Attached to ${container}` }).waitFor({ timeout: 20_000 });

    const copy = JSON.parse(await kubectl(['get', 'pod', '-n', 'team-a', `${pod}-debug`, '-o', 'json'])) as { metadata: Record<string, unknown>; spec: { shareProcessNamespace?: boolean; containers: Array<{ name: string; image: string; command?: string[] }> } };
    expect(copy.metadata['ownerReferences']).toBeUndefined();
    expect(copy.metadata['labels']).toBeUndefined();
    expect(copy.spec.shareProcessNamespace).toBe(true);
    expect(copy.spec.containers.map((c) => c.name)).toEqual(['worker', container]);
    expect(copy.spec.containers[1]).toMatchObject({ image: 'busybox:1.37', command: ['sh'] });
    expect(await containerState(`${pod}-debug`, container)).toContain('"running"');
    await page.screenshot({ path: '/tmp/debug-alice-copy-attached-phone.png', fullPage: true });
  });

  it('victor (view) sees no Debug action, not even from a deep link, and nothing is added', async () => {
    const pod = await firstPod('app.kubernetes.io/name=web');
    const before = (await ephemeralContainers(pod)).length;
    page = await stage.signedIn('victor', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=cairn-dev&view=debug`);
    await main().getByRole('tab', { name: 'YAML' }).waitFor();
    await main().getByRole('heading', { name: 'Facts' }).waitFor();
    expect(await main().getByRole('tab', { name: 'Debug' }).count()).toBe(0);
    expect(await main().getByRole('region', { name: 'Add a debug container' }).count()).toBe(0);
    expect((await ephemeralContainers(pod)).length).toBe(before);
  });

  it('admin adds a debug container with no target to a db pod and is attached to it', async () => {
    const pod = 'db-0';
    page = await stage.signedIn('admin', { width: 1280, height: 900 });
    await page.goto(`${stage.cairn.url}/workloads/pods/team-a/${pod}?cluster=cairn-dev&view=debug`);
    const form = main().getByRole('region', { name: 'Add a debug container' });
    await form.getByRole('button', { name: 'Add and attach' }).click();
    await page.waitForURL(/view=exec/, { timeout: 30_000 });
    const container = new URL(page.url()).searchParams.get('container') ?? '';
    await main().getByRole('status').filter({ hasText: `Attached to ${container}` }).waitFor({ timeout: 20_000 });
    const added = (await ephemeralContainers(pod)).find((c) => c['name'] === container);
    expect(added).toMatchObject({ image: 'busybox:1.37', stdin: true, tty: true });
    expect(added?.['targetContainerName']).toBeUndefined();
  });
});
