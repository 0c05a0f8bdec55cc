import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { YamlEditor } from './yaml-editor';
import { yamlProblem } from './yaml-problem';

const LIVE = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  resourceVersion: "41"\nspec:\n  replicas: 3\n';

@Component({
  imports: [YamlEditor],
  template: `<cairn-yaml-editor [text]="text()" name="web" [editable]="editable()" [dryRun]="dryRun" [apply]="apply" (applied)="applied.push($event)" />`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
class Host {
  readonly text = signal(LIVE);
  readonly editable = signal(true);
  readonly sent: Array<{ dryRun: boolean; draft: string }> = [];
  readonly applied: string[] = [];
  refuse: string | undefined;
  readonly dryRun = async (draft: string) => this.send(true, draft);
  readonly apply = async (draft: string) => this.send(false, draft);

  private send(dryRun: boolean, draft: string): void {
    this.sent.push({ dryRun, draft });
    if (this.refuse) throw new Error(this.refuse);
  }
}

describe('YamlEditor', () => {
  let host: Host;
  let element: HTMLElement;
  const settle = async () => {
    TestBed.tick();
    await new Promise((resolve) => setTimeout(resolve, 10));
    TestBed.tick();
  };
  const button = (name: string) => Array.from(element.querySelectorAll('button')).find((b) => b.textContent?.trim() === name) as HTMLButtonElement | undefined;
  const notices = () => Array.from(element.querySelectorAll('cairn-notice')).map((n) => `${n.getAttribute('role')}: ${n.textContent?.trim()}`);
  const edit = async (text: string) => {
    const area = element.querySelector('textarea')!;
    area.value = text;
    area.dispatchEvent(new Event('input'));
    await settle();
  };

  beforeEach(async () => {
    const fixture = TestBed.createComponent(Host);
    host = fixture.componentInstance;
    element = fixture.nativeElement;
    await settle();
  });

  it('shows the YAML read only, with no Edit for someone who may not change it', async () => {
    host.editable.set(false);
    await settle();
    expect(element.querySelector('pre.yaml')?.textContent).toBe(LIVE);
    expect(button('Edit')).toBeUndefined();
    expect(button('Copy')).toBeDefined();
  });

  it('checks the draft with a dry run, shows the differences, and applies only what passed', async () => {
    button('Edit')!.click();
    await settle();
    expect(element.querySelector('label')?.textContent).toBe('YAML of web');
    expect(button('Apply')!.disabled).toBe(true);
    await edit(LIVE.replace('replicas: 3', 'replicas: 1'));
    expect(Array.from(element.querySelectorAll('.diff .removed, .diff .added')).map((l) => l.textContent)).toEqual(['-   replicas: 3\n', '+   replicas: 1\n']);
    button('Check (dry run)')!.click();
    await settle();
    expect(host.sent).toEqual([{ dryRun: true, draft: LIVE.replace('replicas: 3', 'replicas: 1') }]);
    expect(notices()).toEqual(['status: The API server accepts this change (dry run). Review the differences, then apply.']);
    expect(button('Apply')!.disabled).toBe(false);

    // A change after the check needs another check.
    await edit(LIVE.replace('replicas: 3', 'replicas: 2'));
    expect(button('Apply')!.disabled).toBe(true);
    button('Check (dry run)')!.click();
    await settle();
    button('Apply')!.click();
    await settle();
    expect(host.sent.map((s) => s.dryRun)).toEqual([true, true, false]);
    expect(host.applied).toEqual([LIVE.replace('replicas: 3', 'replicas: 2')]);
    expect(notices()).toEqual(['status: Applied.']);
    expect(element.querySelector('textarea')).toBeNull();
  });

  it('says what is wrong with the YAML itself without asking the API server', async () => {
    button('Edit')!.click();
    await settle();
    await edit('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: [3\n');
    button('Check (dry run)')!.click();
    await settle();
    expect(host.sent).toEqual([]);
    expect(notices()[0]).toMatch(/^alert: Could not check the change: Line \d+, column \d+: /);
  });

  it('gives the API server’s reason when it refuses, and keeps the draft', async () => {
    button('Edit')!.click();
    await settle();
    await edit(LIVE.replace('replicas: 3', 'replicas: -1'));
    host.refuse = 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0';
    button('Check (dry run)')!.click();
    await settle();
    expect(notices()).toEqual([`alert: Could not check the change: ${host.refuse}`]);
    expect(element.querySelector('textarea')?.value).toContain('replicas: -1');
    expect(button('Apply')!.disabled).toBe(true);
  });

  it('warns when the object changes underneath the draft, and can start over from the new version', async () => {
    button('Edit')!.click();
    await settle();
    await edit(LIVE.replace('replicas: 3', 'replicas: 1'));
    host.text.set(LIVE.replace('"41"', '"42"').replace('replicas: 3', 'replicas: 5'));
    await settle();
    expect(notices()[0]).toContain('web changed after you began editing. Applying this draft will be refused as a conflict.');
    button('Start over from the current version')!.click();
    await settle();
    expect(element.querySelector('textarea')?.value).toContain('replicas: 5');
    expect(notices()).toEqual([]);
  });
});

describe('yamlProblem', () => {
  it('accepts one Kubernetes object', async () => {
    await expect(yamlProblem(LIVE)).resolves.toBeUndefined();
  });

  it('names what is missing or malformed', async () => {
    await expect(yamlProblem('- a\n- b\n')).resolves.toBe('The YAML must be one object, with apiVersion, kind and metadata.');
    await expect(yamlProblem('kind: Deployment\nspec: {}\n')).resolves.toBe('The object has no apiVersion, metadata: keep them as they are, they say which object to change.');
    await expect(yamlProblem('a: b\n  c: d\n')).resolves.toBe('Line 1, column 4: Nested mappings are not allowed in compact mappings');
  });
});
