import { TestBed } from '@angular/core/testing';
import { fakeGateway, post, settle, testProviders } from '../../testing/fake-gateway';
import { AddCluster } from './add-cluster';

describe('AddCluster', () => {
  const checked = {
    contexts: [
      { name: 'kind-dev', server: 'https://127.0.0.1:6443', entry: 'ENTRY-DEV' },
      { name: 'kind-dev-copy', server: 'https://127.0.0.1:6443', entry: 'ENTRY-DEV' },
      { name: 'eks', server: 'https://eks.example', problem: 'context "eks": its user runs a program on the server to get a credential' },
      { name: 'metadata', server: 'https://169.254.169.254', entry: 'ENTRY-META' },
    ],
  };
  const gateway = () =>
    fakeGateway(
      post('/api/v1/clusters/check-kubeconfig', (body) => ((body as { kubeconfig: string }).kubeconfig.includes('contexts') ? [200, checked] : [400, { message: 'This is not a kubeconfig: it has no contexts.' }])),
      (r) => {
        const preview = /^\/api\/v1\/clusters\/(user:\.preview-\d+)\/(status|whoami)$/.exec(r.path);
        if (!preview) return undefined;
        const meta = r.headers['x-cairn-cluster'] === 'ENTRY-META';
        if (preview[2] === 'status') return meta ? [200, { name: preview[1], reachable: false, error: '169.254.169.254 is a link-local address, which Cairn never connects to' }] : [200, { name: preview[1], reachable: true, version: 'v1.36.3' }];
        // As the gateway answers: the same refusal as the status's.
        return meta ? [403, { message: '169.254.169.254 is a link-local address, which Cairn never connects to' }] : [200, { username: 'kind-admin', groups: ['system:masters'] }];
      },
    );

  async function render(configured: Array<{ name: string; server?: string; source: 'kubeconfig' }> = []) {
    const fake = gateway();
    const { providers, store } = testProviders(fake);
    TestBed.configureTestingModule({ providers });
    const fixture = TestBed.createComponent(AddCluster);
    fixture.componentRef.setInput('taken', ['kind-dev']);
    fixture.componentRef.setInput('configured', configured);
    const added: string[][] = [];
    fixture.componentInstance.added.subscribe((names) => added.push(names));
    await settle(fixture);
    const element = fixture.nativeElement as HTMLElement;
    const paste = async (text: string) => {
      const area = element.querySelector('textarea') as HTMLTextAreaElement;
      area.value = text;
      area.dispatchEvent(new Event('input'));
      (element.querySelector('button[type=submit]') as HTMLButtonElement).click();
      await settle(fixture, 6);
    };
    return { fixture, element, store, added, paste };
  }

  const item = (element: HTMLElement, context: string) => element.querySelector(`li[data-context="${context}"]`) as HTMLElement;

  it('says why a file is not a kubeconfig', async () => {
    const { element, paste } = await render();
    await paste('hello: world');
    expect(element.querySelector('[role=alert]')?.textContent).toBe('This is not a kubeconfig: it has no contexts.');
    expect(element.querySelector('fieldset')).toBeNull();
  });

  it('shows each context checked: refused ones with the reason, reachable ones chosen, names that do not clash', async () => {
    const { element, paste } = await render();
    await paste('contexts: [...]');
    expect(element.querySelector('legend')?.textContent).toBe('Contexts in this file: 2 answering, 1 not answering, 1 refused');
    const eks = item(element, 'eks');
    expect(eks.querySelector('.reason')?.textContent).toContain('Refused: context "eks": its user runs a program on the server');
    expect((eks.querySelector('input[type=checkbox]') as HTMLInputElement).disabled).toBe(true);
    const dev = item(element, 'kind-dev');
    expect(dev.querySelector('.probe')?.textContent).toContain('Reachable');
    expect(dev.querySelector('.probe')?.textContent).toContain('you are kind-admin');
    expect((dev.querySelector('input[type=checkbox]') as HTMLInputElement).checked).toBe(true);
    // `kind-dev` is taken by a cluster already added: the suggestion is the next free name.
    expect((dev.querySelector('.name-field input') as HTMLInputElement).value).toBe('kind-dev-2');
    const meta = item(element, 'metadata');
    expect(meta.querySelector('.probe')?.textContent).toContain('Not reachable169.254.169.254 is a link-local address, which Cairn never connects to');
    expect((meta.querySelector('input[type=checkbox]') as HTMLInputElement).checked).toBe(false);
    // Said once: "who am I" failed for the same reason as the status, and is not repeated.
    expect(meta.querySelector('.probe')?.textContent?.split('link-local address').length).toBe(2);
    expect(element.querySelectorAll('form')[1]?.querySelector('button[type=submit]')?.textContent?.trim()).toBe('Add 2 clusters');
  });

  it('stores the chosen contexts under the names given, refusing a clash first', async () => {
    const { fixture, element, store, added, paste } = await render();
    await paste('contexts: [...]');
    const copyName = item(element, 'kind-dev-copy').querySelector('.name-field input') as HTMLInputElement;
    copyName.value = 'kind-dev-2';
    copyName.dispatchEvent(new Event('input'));
    await settle(fixture);
    expect(item(element, 'kind-dev-copy').querySelector('.field-error')?.textContent).toBe('You already have a cluster named kind-dev-2.');
    const addButton = element.querySelectorAll('form')[1]?.querySelector('button[type=submit]') as HTMLButtonElement;
    expect(addButton.disabled).toBe(true);
    copyName.value = 'dev-copy';
    copyName.dispatchEvent(new Event('input'));
    await settle(fixture);
    addButton.click();
    await settle(fixture);
    expect(added).toEqual([['kind-dev-2', 'dev-copy']]);
    expect((await store.list()).map((c) => [c.name, c.context, c.entry])).toEqual([
      ['dev-copy', 'kind-dev-copy', 'ENTRY-DEV'],
      ['kind-dev-2', 'kind-dev', 'ENTRY-DEV'],
    ]);
  });

  it('says when a context is for a server the console already has, and points to signing in to it with a token', async () => {
    const { element, paste } = await render([{ name: 'dev', server: 'https://127.0.0.1:6443/', source: 'kubeconfig' }, { name: 'other', server: 'https://10.0.0.1', source: 'kubeconfig' }]);
    await paste('contexts: [...]');
    const note = item(element, 'kind-dev').querySelector('.reason')?.textContent ?? '';
    expect(note).toContain('Already here: this is the server of cluster dev, which this console has.');
    expect(note).toContain('bearer token');
    expect(item(element, 'kind-dev-copy').querySelector('.reason')?.textContent).toContain('cluster dev');
    expect(item(element, 'metadata').textContent).not.toContain('Already here');
  });
});
