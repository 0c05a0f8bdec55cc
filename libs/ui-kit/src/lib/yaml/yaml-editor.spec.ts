import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ApiError, type KubeObject } from '@cairn/data-access';
import { CODE_EDITOR_LOADER } from './code-editor';
import { YamlEditor } from './yaml-editor';
import { yamlProblem } from './yaml-problem';

const copy = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

const LIVE: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'team-a', resourceVersion: '41', managedFields: [{ manager: 'kube-controller-manager' }], annotations: { note: 'yes' } },
  spec: { replicas: 3 },
  status: { replicas: 3, readyReplicas: 3 },
};

/** The editor's page: `load` gives the whole object, the dry run answers what a server would store. */
@Component({
  imports: [YamlEditor],
  template: `<cairn-yaml-editor [text]="text()" name="web" [editable]="editable()" [resourceVersion]="resourceVersion()" [load]="load" [dryRun]="dryRun" [apply]="apply" (applied)="applied.push($event)" />`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
class Host {
  readonly text = signal('# the view: trimmed, maybe redacted\n');
  readonly editable = signal(true);
  readonly resourceVersion = signal<string | undefined>('41');
  current: KubeObject = copy(LIVE);
  /** What the dry run answers instead of the object sent (a server that changes what it stores). */
  storedInstead: KubeObject | undefined;
  readonly sent: Array<{ dryRun: boolean; object: KubeObject }> = [];
  readonly applied: KubeObject[] = [];
  refuse: Error | undefined;
  readonly load = async () => copy(this.current);
  readonly dryRun = async (object: KubeObject) => this.send(true, object);
  readonly apply = async (object: KubeObject) => this.send(false, object);

  private send(dryRun: boolean, object: KubeObject): KubeObject {
    this.sent.push({ dryRun, object });
    if (this.refuse) throw this.refuse;
    return this.storedInstead ?? object;
  }
}

describe('YamlEditor', () => {
  let host: Host;
  let element: HTMLElement;
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      TestBed.tick();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    TestBed.tick();
  };
  const button = (name: string) => Array.from(element.querySelectorAll('button')).find((b) => b.textContent?.trim() === name) as HTMLButtonElement | undefined;
  const notices = () => Array.from(element.querySelectorAll('cairn-notice')).map((n) => `${n.getAttribute('role')}: ${n.textContent?.trim()}`);
  const fields = () => Array.from(element.querySelectorAll('.fields li')).map((li) => li.textContent?.trim());
  const textarea = () => element.querySelector('textarea') as HTMLTextAreaElement;
  const edit = async (change: (text: string) => string) => {
    textarea().value = change(textarea().value);
    textarea().dispatchEvent(new Event('input'));
    await settle();
  };
  const click = async (name: string) => {
    button(name)!.click();
    await settle();
  };

  beforeEach(async () => {
    // jsdom has no layout for CodeMirror: the editor falls back to its plain text area, which edits the same draft.
    TestBed.configureTestingModule({ providers: [{ provide: CODE_EDITOR_LOADER, useValue: () => Promise.reject(new Error('no layout engine here')) }] });
    const fixture = TestBed.createComponent(Host);
    host = fixture.componentInstance;
    element = fixture.nativeElement;
    await settle();
  });

  it('shows the view read only, with no Edit for someone who may not change it', async () => {
    host.editable.set(false);
    await settle();
    expect(element.querySelector('pre.yaml')?.textContent).toBe('# the view: trimmed, maybe redacted\n');
    expect(button('Edit')).toBeUndefined();
  });

  it('edits the whole object from load(), not the view; sends it with its resourceVersion and status, without managedFields', async () => {
    await click('Edit');
    expect(textarea().value).toContain('replicas: 3');
    expect(textarea().value).toContain('resourceVersion: "41"');
    expect(textarea().value).toContain('note: "yes"'); // YAML 1.1: kept a string, as kubectl would read it
    expect(textarea().value).not.toContain('managedFields');
    expect(textarea().value).not.toContain('readyReplicas');
    expect(button('Apply')!.disabled).toBe(true);
    await edit((text) => text.replace('replicas: 3', 'replicas: 1'));
    await click('Check (dry run)');
    expect(host.sent).toEqual([{ dryRun: true, object: { ...LIVE, metadata: { name: 'web', namespace: 'team-a', resourceVersion: '41', annotations: { note: 'yes' } }, spec: { replicas: 1 } } }]);
    expect(notices()).toEqual(['status: The API server accepts this change (dry run). Below is what it would store, compared with now: review it, then apply.']);
    expect(fields()).toEqual(['spec.replicas: 3 → 1']);

    // A change after the check needs another check.
    await edit((text) => text.replace('replicas: 1', 'replicas: 2'));
    expect(button('Apply')!.disabled).toBe(true);
    await click('Check (dry run)');
    await click('Apply');
    expect(host.sent.map((s) => s.dryRun)).toEqual([true, true, false]);
    expect(host.applied.map((o) => o['spec'])).toEqual([{ replicas: 2 }]);
    expect(notices()).toEqual(['status: Applied.']);
    expect(element.querySelector('textarea')).toBeNull();
  });

  it('compares what the server would store, and calls out a value it would empty', async () => {
    host.current = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web', resourceVersion: '41' }, data: { password: 'c2VjcmV0', user: 'YWRtaW4=' } };
    await click('Edit');
    await edit((text) => text.replace('metadata:\n', 'metadata:\n  labels:\n    team: a\n'));
    host.storedInstead = { ...host.current, metadata: { ...host.current.metadata, labels: { team: 'a' } }, data: { password: '', user: 'YWRtaW4=' } };
    await click('Check (dry run)');
    expect(fields()).toEqual(['metadata.labels.team: added, a', 'data.password: c2VjcmV0 → (empty)']);
    expect(notices()).toContain('status: One value would be emptied or removed: data.password. Make sure that is what you mean.');
  });

  it('says what is wrong with the YAML itself without asking the API server', async () => {
    await click('Edit');
    await edit(() => 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: [3\n');
    await click('Check (dry run)');
    expect(host.sent).toEqual([]);
    expect(notices()[0]).toMatch(/^alert: Could not check the change: Line \d+, column \d+: /);
  });

  it('gives the API server’s reason when it refuses, and keeps the draft', async () => {
    await click('Edit');
    await edit((text) => text.replace('replicas: 3', 'replicas: -1'));
    host.refuse = new ApiError(422, 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    await click('Check (dry run)');
    expect(notices()).toEqual([`alert: Could not check the change: ${host.refuse.message}`]);
    expect(textarea().value).toContain('replicas: -1');
    expect(button('Apply')!.disabled).toBe(true);
  });

  it('on a conflict, shows what someone else changed and starts over from the current version', async () => {
    await click('Edit');
    await edit((text) => text.replace('replicas: 3', 'replicas: 1'));
    host.current = { ...LIVE, metadata: { ...LIVE.metadata, resourceVersion: '42' }, spec: { replicas: 5 } };
    host.refuse = new ApiError(409, 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified');
    await click('Check (dry run)');
    expect(notices()[0]).toContain('alert: Not applied: web changed after you began editing');
    expect(fields()).toEqual(['spec.replicas: 3 → 5']);
    expect(textarea().value).toContain('replicas: 1');
    host.refuse = undefined;
    await click('Start over from the current version');
    expect(textarea().value).toContain('replicas: 5');
    expect(textarea().value).toContain('resourceVersion: "42"');
  });

  it('after a conflict, overwrites on purpose only after a new check that shows what it undoes', async () => {
    await click('Edit');
    await edit((text) => text.replace('replicas: 3', 'replicas: 1'));
    host.current = { ...LIVE, metadata: { ...LIVE.metadata, resourceVersion: '42' }, spec: { replicas: 5 } };
    host.refuse = new ApiError(409, 'the object has been modified');
    await click('Check (dry run)');
    host.refuse = undefined;
    await click('Overwrite with my draft…');
    expect(textarea().value).toContain('replicas: 1');
    expect(textarea().value).toContain('resourceVersion: "42"');
    expect(button('Apply')!.disabled).toBe(true);
    await click('Check (dry run)');
    expect(fields()).toEqual(['spec.replicas: 5 → 1']);
    await click('Apply');
    expect(host.applied.map((o) => [o.metadata.resourceVersion, o['spec']])).toEqual([['42', { replicas: 1 }]]);
  });

  it('warns as soon as the live object moves past the version being edited', async () => {
    await click('Edit');
    host.resourceVersion.set('42');
    await settle();
    expect(notices()[0]).toContain('web changed after you began editing. Applying this draft will be refused as a conflict.');
  });

  it('does not start when loading is declined (a reveal the person said no to)', async () => {
    host.current = undefined as unknown as KubeObject;
    await click('Edit');
    expect(element.querySelector('textarea')).toBeNull();
  });

  it('points at the line of a YAML problem, and "Go to line" puts the cursor there', async () => {
    await click('Edit');
    await edit((text) => text.replace('replicas: 3', 'replicas: [3'));
    await click('Check (dry run)');
    expect(notices()[0]).toMatch(/^alert: Could not check the change: Line \d+, column \d+: /);
    const line = Number(/Line (\d+)/.exec(notices()[0] ?? '')?.[1]);
    await click(`Go to line ${line}`);
    const area = textarea();
    expect(document.activeElement).toBe(area);
    expect(area.value.slice(0, area.selectionStart).split('\n').length).toBe(line);
  });
});

describe('yamlProblem', () => {
  it('accepts one Kubernetes object', async () => {
    await expect(yamlProblem('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n')).resolves.toBeUndefined();
  });

  it('names what is missing or malformed', async () => {
    await expect(yamlProblem('- a\n- b\n')).resolves.toBe('The YAML must be one object, with apiVersion, kind and metadata.');
    await expect(yamlProblem('kind: Deployment\nspec: {}\n')).resolves.toBe('The object has no apiVersion, metadata: keep them as they are, they say which object to change.');
    await expect(yamlProblem('a: b\n  c: d\n')).resolves.toBe('Line 1, column 4: Nested mappings are not allowed in compact mappings');
  });
});
