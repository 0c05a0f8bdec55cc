import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DevCluster, DevUserName } from '@cairn/kube-testenv';
import { durationSeconds } from '@cairn/kube-model';
import type { Page } from 'playwright-core';
import { seriousViolations } from './support/accessibility';
import { screenshot } from './support/browser';
import { eventually } from './support/eventually';
import { kubectl } from './support/kubectl';
import type { ConsoleUnderTest } from './support/console-under-test';
import { Stage, startStage } from './support/stage';
import { dataCells, dataHeaders } from './support/table';

/**
 * The workloads module against the real control plane: problems first, live lists, details,
 * and the actions each user's RBAC allows (admin, alice in team-a, victor read-only, tina the tenant).
 */
describe('workloads', () => {
  let stage: Stage;
  let cluster: DevCluster;
  let cairn: ConsoleUnderTest;
  let page: Page;

  beforeAll(async () => {
    stage = await startStage();
    ({ cluster, cairn } = stage);
  }, 240_000);

  afterAll(() => stage?.stop());

  afterEach(async () => {
    await screenshot(page, expect.getState().currentTestName?.replace(/\W+/g, '-') ?? 'story');
    await page.context().close();
  });

  const signedIn = (user: DevUserName) => stage.signedIn(user, { width: 1280, height: 900 });

  const main = () => page.getByRole('main');
  const rowOf = (name: string) => main().getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

  /** `kubectl <args>` of the dev cluster's own kubectl, its table read by the header's column positions: name → column → cell. */
  async function kubectlColumns(args: string[]): Promise<Map<string, Record<string, string>>> {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(join(cluster.info.binDir, 'kubectl'), args, { env: { ...process.env, KUBECONFIG: cluster.info.kubeconfig } });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`kubectl ${args.join(' ')} exited ${code}`))));
    });
    const [header = '', ...lines] = out.split('\n').filter(Boolean);
    const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index ?? 0 }));
    return new Map(
      lines.map((line) => {
        const row = Object.fromEntries(starts.map((c, i) => [c.name, line.slice(c.at, starts[i + 1]?.at ?? line.length).trim()]));
        return [row['NAME'] ?? '', row];
      }),
    );
  }

  it('the overview puts problems first: the crash-looping worker, the pod nobody can schedule, the failed backup', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads?cluster=cairn-dev`);
    const problems = main().locator('.problems');
    await problems.getByText('CrashLoopBackOff').first().waitFor({ timeout: 60_000 });
    await problems.getByRole('link', { name: /^Pod queue-worker-/ }).first().waitFor();
    await problems.getByText('Unschedulable').waitFor();
    await problems.getByRole('link', { name: 'Job backup' }).first().waitFor();
    await main().getByRole('cell', { name: /FailedScheduling|BackOff/ }).first().waitFor();
    // First on the page: the problems come before the counts and the warnings.
    expect(await main().getByRole('heading', { level: 2 }).allInnerTexts()).toEqual(['Needs attention', 'At a glance', 'Latest warnings']);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('modules load natively where import maps work, and through es-module-shims where they do not, under the same CSP', async () => {
    page = await signedIn('admin');
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    await page.goto(`${cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a`);
    await rowOf('web').getByText('2/2 ready').waitFor();
    expect(await page.evaluate(() => 'importShim' in globalThis)).toBe(false);
    expect(refused).toEqual([]);
    // A browser whose import maps cannot be used here (none at all, or none added after the first module).
    const older = await page.context().newPage();
    await older.addInitScript(() => Object.defineProperty(HTMLScriptElement, 'supports', { value: () => false }));
    await older.goto(`${cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a`);
    await older.getByRole('main').getByRole('row').filter({ has: older.getByRole('link', { name: 'web', exact: true }) }).getByText('2/2 ready').waitFor();
    expect(await older.evaluate(() => typeof (globalThis as { importShim?: unknown }).importShim)).toBe('function');
    await older.close();
  });

  it('an admin lists deployments, filters, opens web, scales it live, edits its YAML with a dry run and a diff', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a`);
    await rowOf('web').getByText('2/2 ready').waitFor();
    await main().getByRole('searchbox').fill('queue');
    await rowOf('queue-worker').waitFor();
    expect(await rowOf('web').count()).toBe(0);
    await main().getByRole('searchbox').fill('app.kubernetes.io/name=web');
    await rowOf('web').waitFor();
    // The filter is in the address, so the filtered list can be shared.
    await page.waitForURL((url) => url.searchParams.get('q') === 'app.kubernetes.io/name=web');
    await rowOf('web').getByRole('link', { name: 'web' }).click();

    await main().getByRole('heading', { name: 'Deployment web' }).waitFor();
    await main().getByRole('heading', { name: 'Pods (2)' }).waitFor();
    await main().getByRole('button', { name: 'One replica more' }).click();
    await main().getByRole('status').filter({ hasText: 'Scaled web to 3 replicas.' }).waitFor();
    // The watch brings the third pod without a reload.
    await main().getByRole('heading', { name: 'Pods (3)' }).waitFor();
    await main().getByRole('button', { name: 'Scale (3)' }).waitFor();

    await main().getByRole('tab', { name: 'YAML' }).click();
    await page.waitForURL((url) => url.searchParams.get('tab') === 'yaml');
    await main().getByRole('button', { name: 'Edit' }).click();
    // These stories edit text as a whole: the plain text area (the code editor has its own story).
    await main().getByRole('button', { name: 'Plain text' }).click();
    // Drawn when the switch has happened: only then is the text area the one 'YAML of …' textbox.
    await main().getByRole('button', { name: 'Code editor' }).waitFor();
    const editor = main().getByRole('textbox', { name: 'YAML of web' });
    await editor.fill((await editor.inputValue()).replace(/^( {2}replicas:) 3$/m, '$1 1'));
    expect(await main().getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    await main().getByRole('button', { name: 'Check (dry run)' }).click();
    await main().getByRole('status').filter({ hasText: 'accepts this change' }).waitFor();
    expect(await main().locator('.diff .removed').allTextContents()).toContain('-   replicas: 3\n');
    expect(await main().locator('.diff .added').allTextContents()).toContain('+   replicas: 1\n');
    await main().getByRole('button', { name: 'Apply' }).click();
    await main().getByRole('status').filter({ hasText: 'Applied.' }).waitFor();
    await main().getByRole('button', { name: 'Scale (1)' }).waitFor();
    const web = (await cluster.adminApi().json('GET', '/apis/apps/v1/namespaces/team-a/deployments/web')) as { spec: { replicas: number } };
    expect(web.spec.replicas).toBe(1);

    // A bad edit is refused by the API server, and nothing changes.
    await main().getByRole('button', { name: 'Edit' }).click();
    await editor.fill((await editor.inputValue()).replace(/^( {2}replicas:) 1$/m, '$1 many'));
    await main().getByRole('button', { name: 'Check (dry run)' }).click();
    await main().getByRole('alert').filter({ hasText: 'Could not check the change' }).waitFor();
    await main().getByRole('button', { name: 'Cancel' }).click();
    await main().getByRole('button', { name: 'Scale (1)' }).waitFor();
  });

  it('9: alice edits a Secret: she reveals it first, the check shows only her label, and every value is kept', async () => {
    type Secret = { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }; data: Record<string, string> };
    const before = await cluster.adminApi().json<Secret>('GET', '/api/v1/namespaces/team-a/secrets/registry-auth');
    page = await signedIn('alice');
    await page.goto(`${cairn.url}/workloads/other/core/v1/secrets/team-a/registry-auth?cluster=cairn-dev&tab=yaml`);
    // The view hides the values.
    await main().locator('pre.yaml').getByText('.dockerconfigjson: null').waitFor();
    expect(await main().locator('pre.yaml').textContent()).not.toContain(before.data['.dockerconfigjson']);
    await main().getByRole('button', { name: 'Edit' }).click();
    const reveal = page.getByRole('dialog', { name: 'Reveal Secret registry-auth to edit it?' });
    await reveal.getByRole('button', { name: 'Reveal and edit' }).click();
    // These stories edit text as a whole: the plain text area (the code editor has its own story).
    await main().getByRole('button', { name: 'Plain text' }).click();
    // Drawn when the switch has happened: only then is the text area the one 'YAML of …' textbox.
    await main().getByRole('button', { name: 'Code editor' }).waitFor();
    const editor = main().getByRole('textbox', { name: 'YAML of registry-auth' });
    await editor.waitFor();
    const draft = await editor.inputValue();
    expect(draft).toContain(before.data['.dockerconfigjson']);
    expect(draft).not.toContain('managedFields');
    await editor.fill(draft.replace(/^( {2}labels:\n)/m, '$1    rotation: manual\n'));
    await main().getByRole('button', { name: 'Check (dry run)' }).click();
    await main().getByRole('status').filter({ hasText: 'accepts this change' }).waitFor();
    expect(await main().getByRole('list', { name: 'Fields that would change' }).getByRole('listitem').allTextContents()).toEqual(['metadata.labels.rotation: added, manual']);
    await main().getByRole('button', { name: 'Apply' }).click();
    await main().getByRole('status').filter({ hasText: 'Applied.' }).waitFor();
    const after = await cluster.adminApi().json<Secret>('GET', '/api/v1/namespaces/team-a/secrets/registry-auth');
    expect(after.data).toEqual(before.data);
    expect(after.metadata.annotations).toEqual(before.metadata.annotations);
    expect(after.metadata.labels?.['rotation']).toBe('manual');
  });

  it('9: a YAML draft gone stale when a colleague scales is refused as a conflict that shows the change, and the scale stays', async () => {
    const web = () => cluster.adminApi().json<{ spec: { replicas: number } }>('GET', '/apis/apps/v1/namespaces/team-a/deployments/web');
    const start = (await web()).spec.replicas;
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads/deployments/team-a/web?cluster=cairn-dev&tab=yaml`);
    await main().getByRole('button', { name: 'Edit' }).click();
    // These stories edit text as a whole: the plain text area (the code editor has its own story).
    await main().getByRole('button', { name: 'Plain text' }).click();
    // Drawn when the switch has happened: only then is the text area the one 'YAML of …' textbox.
    await main().getByRole('button', { name: 'Code editor' }).waitFor();
    const editor = main().getByRole('textbox', { name: 'YAML of web' });
    await editor.waitFor();
    await editor.fill((await editor.inputValue()).replace(new RegExp(`^( {2}replicas:) ${start}$`, 'm'), '$1 7'));
    // The colleague, with kubectl scale.
    await cluster.adminApi().json('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web/scale', { spec: { replicas: start + 1 } }, 'application/merge-patch+json');
    await main().getByRole('status').filter({ hasText: 'web changed after you began editing' }).waitFor();
    await main().getByRole('button', { name: 'Check (dry run)' }).click();
    await main().getByRole('alert').filter({ hasText: 'Not applied: web changed after you began editing' }).waitFor();
    expect(await main().getByRole('region', { name: 'Changed meanwhile' }).getByRole('listitem').allTextContents()).toContain(`spec.replicas: ${start} → ${start + 1}`);
    expect((await web()).spec.replicas).toBe(start + 1);
    await main().getByRole('button', { name: 'Start over from the current version' }).first().click();
    // The current version is fetched again before the draft is replaced.
    const current = new RegExp(`^ {2}replicas: ${start + 1}$`, 'm');
    expect(await eventually(() => editor.inputValue(), (text) => current.test(text))).toMatch(current);
    await main().getByRole('button', { name: 'Cancel' }).click();
    await cluster.adminApi().json('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web/scale', { spec: { replicas: start } }, 'application/merge-patch+json');
  });

  it('9: a checked draft that a colleague\u2019s kubectl overtakes before Apply is refused by the API server (409); the editor says what they changed, and their change stays', async () => {
    const web = () => cluster.adminApi().json<{ spec: { replicas: number }; metadata: { annotations?: Record<string, string> } }>('GET', '/apis/apps/v1/namespaces/team-a/deployments/web');
    const start = (await web()).spec.replicas;
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads/deployments/team-a/web?cluster=cairn-dev&tab=yaml`);
    await main().getByRole('button', { name: 'Edit' }).click();
    await main().getByRole('button', { name: 'Plain text' }).click();
    await main().getByRole('button', { name: 'Code editor' }).waitFor();
    const editor = main().getByRole('textbox', { name: 'YAML of web' });
    await editor.waitFor();
    await editor.fill((await editor.inputValue()).replace(new RegExp(`^( {2}replicas:) ${start}$`, 'm'), `$1 ${start + 3}`));
    await main().getByRole('button', { name: 'Check (dry run)' }).click();
    await main().getByRole('status').filter({ hasText: 'accepts this change' }).waitFor();
    // Between the check and Apply, a colleague annotates it with kubectl itself.
    await kubectlColumns(['annotate', '-n', 'team-a', 'deployment/web', 'cairn.test/reviewed-by=colleague', '--overwrite']);
    expect((await web()).metadata.annotations?.['cairn.test/reviewed-by']).toBe('colleague');
    await main().getByRole('button', { name: 'Apply' }).click();
    const refused = main().getByRole('alert').filter({ hasText: 'Not applied: web changed after you began editing, and the API server refused your draft as a conflict' });
    await refused.waitFor();
    // The API server's own words about the conflict are quoted.
    expect(await refused.innerText()).toContain('the object has been modified');
    const changed = main().getByRole('region', { name: 'Changed meanwhile' }).getByRole('listitem');
    await changed.filter({ hasText: 'cairn.test/reviewed-by' }).waitFor();
    const listed = await changed.allTextContents();
    expect(listed).toContain('metadata.annotations["cairn.test/reviewed-by"]: added, colleague');
    const after = await web();
    expect({ replicas: after.spec.replicas, reviewedBy: after.metadata.annotations?.['cairn.test/reviewed-by'] }).toEqual({ replicas: start, reviewedBy: 'colleague' });
    await main().getByRole('button', { name: 'Cancel' }).click();
    await cluster.adminApi().json('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web', { metadata: { annotations: { 'cairn.test/reviewed-by': null } } }, 'application/merge-patch+json');
    // The colleague touched no field of the spec (the API server stores the template as it was),
    // so none is listed as changed.
    expect(listed.filter((line) => line.startsWith('spec.'))).toEqual([]);
  });

  it('10: every pod of the seed shows the READY, STATUS and RESTARTS kubectl prints, in the list and in its detail header', async () => {
    // The oracle: the API server's table, which is what `kubectl get pods` prints.
    type Table = { columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: string[] }> };
    const kubectl = async () => {
      const res = await cluster.adminApi().send('GET', '/api/v1/namespaces/pod-states/pods', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
      const table = JSON.parse(res.body) as Table;
      const at = (name: string) => table.columnDefinitions.findIndex((c) => c.name === name);
      return new Map(table.rows.map((r) => [r.cells[at('Name')] as string, { ready: r.cells[at('Ready')], status: r.cells[at('Status')], restarts: String(r.cells[at('Restarts')]) }]));
    };
    // "6 (3m10s ago)" moves on with the clock: compare the count, and that both say when.
    const restartsShape = (text: string) => text.replace(/\(.* ago\)/, '(… ago)');
    page = await stage.signedIn('admin', { width: 1600, height: 2400 });
    await page.goto(`${cairn.url}/workloads/pods?cluster=cairn-dev&ns=pod-states`);
    const expected = await kubectl();
    const rows = main().getByRole('row');
    // A header row and one row per pod kubectl prints.
    await rows.nth(expected.size).waitFor();
    expect(await rows.count()).toBe(expected.size + 1);
    const headers = await dataHeaders(rows.first());
    const col = (name: string) => headers.indexOf(name);
    const shown = new Map<string, { ready: string; status: string; restarts: string }>();
    for (const row of (await rows.all()).slice(1)) {
      const cells = await dataCells(row);
      shown.set(cells[col('Name')] as string, { ready: cells[col('Ready')] as string, status: cells[col('Status')] as string, restarts: restartsShape(cells[col('Restarts')] as string) });
    }
    const wanted = new Map([...expected].map(([name, cells]) => [name, { ...cells, restarts: restartsShape(cells.restarts) }]));
    expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(wanted));

    // Each pod's own page says the same in its header.
    for (const [name, cells] of expected) {
      await page.goto(`${cairn.url}/workloads/pods/pod-states/${name}?cluster=cairn-dev`);
      await main().getByRole('heading', { name: `Pod ${name}` }).waitFor();
      expect({ name, status: (await main().locator('header.title cairn-status').textContent())?.trim() }).toEqual({ name, status: cells.status });
    }
  });

  it('10: while the pods themselves are read, the list is the API server\u2019s printed rows: every pod of every namespace as kubectl get pods -A prints it, nothing to select until the pods arrive', async () => {
    page = await stage.signedIn('admin', { width: 1600, height: 2400 });
    // The pods themselves are held back (the printed rows are read first, with a one-pod read that
    // checks the user may list them all, then the objects' list):
    // what the person sees meanwhile is only the printed rows.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route((url) => url.pathname.endsWith('/resources/core/v1/pods') && !url.searchParams.has('as') && !url.searchParams.has('limit'), async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${cairn.url}/workloads/pods?cluster=cairn-dev`);
    const note = main().getByRole('status').filter({ hasText: /These rows are the API server.s/ });
    await note.waitFor();
    // The oracle: kubectl get pods -A, read before and after the screen (nothing changed between).
    const kubectlRows = async () => {
      const out = await kubectl(cluster, ['get', 'pods', '-A']);
      const [header = '', ...lines] = out.split('\n').filter(Boolean);
      const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index ?? 0 }));
      const cell = (line: string, name: string) => {
        const i = starts.findIndex((c) => c.name === name);
        return line.slice(starts[i]?.at ?? 0, starts[i + 1]?.at ?? line.length).trim();
      };
      return lines.map((line) => [cell(line, 'NAMESPACE'), cell(line, 'NAME'), cell(line, 'READY'), cell(line, 'STATUS'), cell(line, 'RESTARTS').replace(/\(.* ago\)/, '(… ago)')].join(' | ')).sort();
    };
    const before = await kubectlRows();
    const rows = main().getByRole('row');
    await rows.nth(before.length).waitFor();
    const headers = await dataHeaders(rows.first());
    const col = (name: string) => headers.indexOf(name);
    const shown = (await Promise.all((await rows.all()).slice(1).map((row) => dataCells(row))))
      .map((c) => [c[col('Namespace')], c[col('Name')], c[col('Ready')], c[col('Status')], (c[col('Restarts')] ?? '').replace(/\(.* ago\)/, '(… ago)')].join(' | '))
      .sort();
    expect(await kubectlRows()).toEqual(before);
    expect(shown).toEqual(before);
    expect(await note.isVisible()).toBe(true);
    // The failed pods are coloured as failures from their printed status alone.
    expect(await rowOf('init-crash-looping').locator('cairn-status').getAttribute('class')).toContain('failed');
    // Nothing to select on rows that are not the pods themselves.
    expect(await main().locator('.select-cell').count()).toBe(0);
    // Sorted as the pods' own columns sort: restarts as numbers ("22 (6s ago)" after "3 (…)"), ages by duration ("19s" before "3m41s").
    const column = async (name: string) => (await Promise.all((await rows.all()).slice(1).map((row) => dataCells(row)))).map((c) => c[col(name)] ?? '');
    for (const [name, read] of [['Restarts', (t: string) => parseInt(t, 10)], ['Age', durationSeconds]] as const) {
      await main().getByRole('columnheader', { name }).getByRole('button').click();
      await main().locator('[role=columnheader][aria-sort="ascending"]', { hasText: name }).waitFor();
      const values = (await column(name)).map(read);
      expect(values.every((v) => !Number.isNaN(v))).toBe(true);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    expect(await column('Node')).not.toContain('<none>');
    release();
    await note.waitFor({ state: 'hidden' });
    await main().locator('.select-cell').first().waitFor();
    expect(await rows.count()).toBe(before.length + 1);
  });

  it('an admin suspends and resumes a CronJob, runs it now, and deletes a Job after typing its name', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads/cronjobs/team-a/nightly-report?cluster=cairn-dev`);
    await main().getByRole('button', { name: 'Suspend' }).click();
    await main().getByRole('button', { name: 'Resume' }).waitFor();
    await main().getByRole('button', { name: 'Resume' }).click();
    await main().getByRole('button', { name: 'Suspend' }).waitFor();
    await main().getByRole('button', { name: 'Run now' }).click();
    const started = await main().getByRole('status').filter({ hasText: /^Started Job nightly-report-/ }).textContent();
    const job = /Started Job (\S+)\./.exec(started ?? '')?.[1] as string;

    await page.goto(`${cairn.url}/workloads/jobs/team-a/${job}?cluster=cairn-dev`);
    await main().getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: `Delete Job ${job}?` });
    expect(await confirm.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true);
    await confirm.getByLabel('Name').fill(job);
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\/workloads\/jobs\?/);
    expect((await cluster.adminApi().send('GET', `/apis/batch/v1/namespaces/team-a/jobs/${job}`)).status).toBe(404);
  });

  it('back from an object\u2019s page, the list is there at once and current: what changed meanwhile shows, and it is not read again', async () => {
    page = await signedIn('admin');
    const admin = cluster.adminApi();
    const probe = 'kept-list-probe';
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: probe, namespace: 'team-a' }, spec: { replicas: 0, selector: { matchLabels: { app: probe } }, template: { metadata: { labels: { app: probe } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
    try {
      await page.goto(`${cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a`);
      await rowOf('web').waitFor();
      expect(await rowOf(probe).count()).toBe(0);
      await rowOf('web').getByRole('link', { name: 'web', exact: true }).click();
      await page.waitForURL(/\/workloads\/deployments\/team-a\/web\?/);
      await main().getByRole('heading', { name: /web/ }).first().waitFor();
      // Created while the list is not on screen.
      await admin.json('POST', '/apis/apps/v1/namespaces/team-a/deployments', deployment);
      const listReads: string[] = [];
      page.on('request', (request) => {
        if (/\/resources\/apps\/v1\/deployments(\?|$)/.test(request.url()) && !request.url().includes('fieldSelector')) listReads.push(request.url());
      });
      await page.goBack();
      await rowOf(probe).waitFor({ timeout: 10_000 });
      await rowOf('web').waitFor();
      // And it stays followed: deleted now, gone from the list shown.
      await admin.send('DELETE', `/apis/apps/v1/namespaces/team-a/deployments/${probe}`);
      expect(await eventually(() => rowOf(probe).count(), (n) => n === 0, 15_000)).toBe(0);
      expect(listReads).toEqual([]);
    } finally {
      await admin.send('DELETE', `/apis/apps/v1/namespaces/team-a/deployments/${probe}`);
    }
  });

  it('a pod shows its containers with restarts and the last termination reason, and each container\u2019s logs and previous logs', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads/pods?cluster=cairn-dev&ns=team-a`);
    await main().getByRole('searchbox').fill('queue-worker');
    await main().getByRole('row').getByRole('link', { name: /^queue-worker-/ }).first().click();
    await main().getByRole('heading', { name: 'Containers' }).waitFor();
    const worker = main().getByRole('article', { name: 'Container worker' });
    await worker.getByText(/Error \(exit \d+\)/).waitFor({ timeout: 30_000 });
    await worker.getByText('Waiting: CrashLoopBackOff').waitFor();
    expect(await main().getByRole('toolbar', { name: 'Actions' }).getByRole('link', { name: 'Logs' }).getAttribute('href')).toContain('pod=queue-worker-');
    expect(await worker.getByRole('link', { name: 'Previous logs' }).getAttribute('href')).toMatch(/previous=true/);
  });

  it('an admin picks the columns of the pods list and sorts by restarts; the choice is still there after a reload', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads/pods?cluster=cairn-dev&ns=team-a`);
    const table = main().getByRole('table', { name: 'Pods' });
    // The data columns: bulk actions' selection column (`select-cell`, a checkbox) is not one of them.
    const headers = () => table.locator('[role=columnheader]:not(.select-cell)').allInnerTexts();
    await rowOf('db-0').waitFor();
    expect((await headers()).map((h) => h.replace(/[▲▼]/, '').trim())).toEqual(['Name', 'Status', 'Ready', 'Restarts', 'Node', 'Age']);

    await main().getByRole('button', { name: 'Columns' }).click();
    const choice = main().getByRole('group', { name: 'Columns shown' });
    expect(await choice.getByRole('checkbox', { name: 'Name' }).isDisabled()).toBe(true);
    await choice.getByRole('checkbox', { name: 'IP' }).check();
    await choice.getByRole('checkbox', { name: 'Node' }).uncheck();
    await page.keyboard.press('Escape');
    await choice.waitFor({ state: 'detached' });
    expect((await headers()).map((h) => h.replace(/[▲▼]/, '').trim())).toEqual(['Name', 'Status', 'Ready', 'Restarts', 'IP', 'Age']);

    // Sorting by restarts, most first: the crash-looping worker leads.
    const restarts = table.getByRole('columnheader', { name: 'Restarts' });
    const sortedBy = (order: string) => table.locator(`[role=columnheader][aria-sort="${order}"]`, { hasText: 'Restarts' }).waitFor();
    await restarts.getByRole('button').click();
    await sortedBy('ascending');
    await restarts.getByRole('button').click();
    await sortedBy('descending');
    await table.getByRole('row').nth(1).getByRole('link', { name: /^queue-worker-/ }).waitFor({ timeout: 30_000 });

    await page.reload();
    await rowOf('db-0').waitFor();
    expect((await headers()).map((h) => h.replace(/[▲▼]/, '').trim())).toEqual(['Name', 'Status', 'Ready', 'Restarts', 'IP', 'Age']);
  });

  it('an admin scales from the keyboard: the dialog takes focus, says what is wrong with a bad number, and Escape changes nothing', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads/statefulsets/team-a/db?cluster=cairn-dev`);
    const scale = main().getByRole('button', { name: /^Scale \(\d+\)$/ });
    const before = await scale.innerText();
    await scale.click();
    const dialog = page.getByRole('dialog', { name: 'Scale db' });
    const replicas = dialog.getByLabel('Replicas');
    const focused = async (locator: typeof replicas) => page.waitForFunction((element) => element === document.activeElement, await locator.elementHandle(), { timeout: 5_000 });
    await focused(replicas);
    await replicas.fill('-2');
    await dialog.getByText('Replicas must be a whole number, 0 or more.').waitFor();
    expect(await dialog.getByRole('button', { name: 'Scale' }).isDisabled()).toBe(true);
    await screenshot(page, 'workloads-scale-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await focused(scale);
    expect(await scale.innerText()).toBe(before);

    await scale.click();
    await replicas.fill('2');
    await replicas.press('Enter');
    await main().getByRole('status').filter({ hasText: 'Scaled db to 2 replicas.' }).waitFor();
    await main().getByRole('button', { name: 'Scale (2)' }).waitFor();
    const db = (await cluster.adminApi().json('GET', '/apis/apps/v1/namespaces/team-a/statefulsets/db')) as { spec: { replicas: number } };
    expect(db.spec.replicas).toBe(2);
  });

  it('victor may look but not touch: no action is offered', async () => {
    page = await signedIn('victor');
    await page.goto(`${cairn.url}/workloads/deployments/team-a/web?cluster=cairn-dev`);
    await main().getByRole('heading', { name: 'Deployment web' }).waitFor();
    await main().getByText('Read only: your role may not change this Deployment.').waitFor();
    for (const name of ['Restart', 'Delete', 'One replica more']) expect(await main().getByRole('button', { name }).count()).toBe(0);
    // A shared link straight to the YAML opens it, still without Edit.
    await page.goto(`${cairn.url}/workloads/deployments/team-a/web?cluster=cairn-dev&tab=yaml`);
    await main().locator('pre.yaml').getByText('name: web').first().waitFor();
    expect(await main().getByRole('tab', { name: 'YAML' }).getAttribute('aria-selected')).toBe('true');
    expect(await main().getByRole('button', { name: 'Edit' }).count()).toBe(0);
  });

  it('alice sees why she may not list team-b, and works in team-a', async () => {
    page = await signedIn('alice');
    await page.goto(`${cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-b`);
    const refusal = main().getByRole('alert');
    await refusal.getByText('You may not list Deployments in team-b').waitFor();
    expect(await refusal.textContent()).toContain('cannot list resource "deployments" in API group "apps" in the namespace "team-b"');
    await page.goto(`${cairn.url}/workloads/deployments/team-a/web?cluster=cairn-dev`);
    await main().getByRole('button', { name: 'Restart' }).click();
    // One tap does not restart: the dialog asks first.
    const confirm = page.getByRole('dialog', { name: 'Restart web?' });
    await confirm.getByRole('button', { name: 'Restart' }).click();
    await main().getByRole('status').filter({ hasText: 'Restarting web' }).waitFor();
  });

  it('any other kind the cluster serves is listed from discovery: a custom resource, and cluster-wide namespaces', async () => {
    const admin = cluster.adminApi();
    await admin.json('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    // Served once the API server has established the CRD.
    expect(await eventually(async () => (await admin.send('GET', '/apis/example.com/v1/widgets')).status, (status) => status === 200)).toBe(200);
    await admin.json('POST', '/apis/example.com/v1/namespaces/team-a/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'sprocket', namespace: 'team-a' }, spec: { size: 3 } });

    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads/other?cluster=cairn-dev`);
    await main().getByRole('region', { name: 'example.com' }).getByRole('link', { name: 'Widget', exact: true }).click();
    await rowOf('sprocket').waitFor();
    await rowOf('sprocket').getByRole('link', { name: 'sprocket' }).click();
    await main().getByRole('heading', { name: 'Widget sprocket' }).waitFor();
    await main().getByRole('tab', { name: 'YAML' }).click();
    expect(await main().locator('pre.yaml').textContent()).toContain('size: 3');

    await page.goto(`${cairn.url}/workloads/other/core/v1/namespaces?cluster=cairn-dev&ns=team-a`);
    await rowOf('tenant-2').waitFor();
    await main().getByText('(cluster-wide)').waitFor();
  });

  it('gus, who may get but not list or watch, opens a Deployment\u2019s page: read with a GET and kept current by polling', async () => {
    page = await signedIn('gus');
    await page.goto(`${cairn.url}/workloads/deployments/team-a/web?cluster=cairn-dev`);
    await main().getByRole('heading', { name: 'Deployment web' }).waitFor();
    await main().locator('header.title cairn-status').getByText(/ready/).waitFor();
    await main().getByRole('status').filter({ hasText: 'you may read this Deployment but not watch it' }).waitFor();
    expect(await main().getByRole('heading', { name: /could not be read/ }).count()).toBe(0);
    // What he may not list (its pods, its events) is refused in place, naming the verb.
    await main().getByText('cannot list resource "pods"').waitFor();
    // The list is another verb, and the refusal names it.
    await page.goto(`${cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a`);
    await main().getByText('cannot list resource "deployments"').waitFor();
  });

  it('lola, who may list but not watch, gets a list that refreshes instead of an error', async () => {
    page = await signedIn('lola');
    await page.goto(`${cairn.url}/workloads/deployments?cluster=cairn-dev&ns=team-a`);
    await rowOf('web').waitFor();
    await main().getByRole('status').filter({ hasText: 'you may list Deployments here but not watch them' }).waitFor();
    await rowOf('web').getByRole('link', { name: 'web' }).click();
    await main().getByRole('heading', { name: 'Deployment web' }).waitFor();
    expect(await main().getByText('cannot watch').count()).toBe(0);
    // A change made meanwhile shows up within the polling interval, without a reload.
    const stamp = String(Date.now());
    await cluster.adminApi().json('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web', { metadata: { labels: { 'polled-at': stamp } } }, 'application/merge-patch+json');
    await main().getByText(stamp).first().waitFor({ timeout: 25_000 });
  });

  it('custom objects of any shape are listed and opened, and the module keeps working', async () => {
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads/other/example.com/v1/gadgets?cluster=cairn-dev&ns=team-b`);
    for (const name of ['sprocket', 'cog', 'gear', 'widgetless']) await rowOf(name).waitFor();
    // The CRD's printer columns, cell for cell as `kubectl get gadgets` prints them (Owner is a -o wide column).
    const printed = await kubectlColumns(['get', 'gadgets', '-n', 'team-b']);
    const columns = ['Size', 'Color', 'Weight', 'Enabled', 'Parts', 'Ready', 'Built'];
    await main().getByRole('columnheader', { name: 'Built' }).waitFor();
    const headers = await dataHeaders(main().getByRole('row').first());
    expect(headers).not.toContain('Owner');
    for (const name of ['sprocket', 'cog', 'gear', 'widgetless']) {
      const cells = await dataCells(rowOf(name));
      const shown = Object.fromEntries(columns.map((c) => [c, cells[headers.indexOf(c)]]));
      expect({ name, ...shown }).toEqual({ name, ...Object.fromEntries(columns.map((c) => [c, printed.get(name)?.[c.toUpperCase()] ?? ''])) });
    }
    // Conditions as a map: drawn as text, not thrown on.
    await rowOf('cog').getByRole('link', { name: 'cog' }).click();
    await main().getByRole('heading', { name: 'Gadget cog' }).waitFor();
    await main().locator('pre.odd').getByText('a map, not a list').waitFor();
    await page.goto(`${cairn.url}/workloads/other/example.com/v1/gadgets/team-b/gear?cluster=cairn-dev`);
    await main().getByRole('heading', { name: 'Gadget gear' }).waitFor();
    await main().locator('pre.odd').getByText('Ready').waitFor();
    // Still the whole module: another section opens.
    await page.getByRole('link', { name: 'Deployments' }).click();
    await rowOf('api').waitFor();
  });

  it('events belong to their object by uid and arrive live: a scale shows on Deployment web, not on Service web', async () => {
    const web = () => cluster.adminApi().json<{ spec: { replicas: number } }>('GET', '/apis/apps/v1/namespaces/team-a/deployments/web');
    const start = (await web()).spec.replicas;
    page = await signedIn('admin');
    await page.goto(`${cairn.url}/workloads/deployments/team-a/web?cluster=cairn-dev`);
    await main().getByRole('heading', { name: 'Deployment web' }).waitFor();
    const events = main().locator('section[aria-labelledby="events"]');
    await main().getByRole('button', { name: 'One replica more' }).click();
    // The controller's event arrives on the watch stream, without a reload.
    await events.getByRole('row').filter({ hasText: 'ScalingReplicaSet' }).filter({ hasText: new RegExp(`to ${start + 1}`) }).first().waitFor({ timeout: 20_000 });
    await page.goto(`${cairn.url}/workloads/other/core/v1/services/team-a/web?cluster=cairn-dev`);
    await main().getByRole('heading', { name: 'Service web' }).waitFor();
    await events.getByRole('row').first().waitFor();
    expect(await events.getByText('ScalingReplicaSet').count()).toBe(0);
    await cluster.adminApi().json('PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web/scale', { spec: { replicas: start } }, 'application/merge-patch+json');
    // A workload's page shows its pods' events too, saying which pod: the crash loop's BackOff on its Deployment.
    await page.goto(`${cairn.url}/workloads/deployments/team-a/queue-worker?cluster=cairn-dev`);
    await events.getByRole('row').filter({ hasText: 'BackOff' }).filter({ hasText: /Pod queue-worker-[a-z0-9-]+:/ }).first().waitFor();
  });

  it('tina, the tenant, lists her namespace: every Deployment kubectl lists there, and nothing else', async () => {
    page = await signedIn('tina');
    await page.goto(`${cairn.url}/workloads/deployments?cluster=cairn-dev&ns=tenant-1`);
    await rowOf('shop').waitFor();
    const expected = [...(await kubectlColumns(['get', 'deployments', '-n', 'tenant-1'])).keys()].sort();
    expect(expected.length).toBeGreaterThan(0);
    const rows = main().getByRole('row').filter({ has: page.getByRole('link') });
    for (const name of expected) await rowOf(name).waitFor();
    const names = (await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('a')?.textContent?.trim() ?? ''))).sort();
    expect(names).toEqual(expected);
  });
});
