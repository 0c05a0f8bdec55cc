import { Dialog } from '@angular/cdk/dialog';
import { TestBed } from '@angular/core/testing';
import { Confirmation } from './confirmation';

describe('Confirmation', () => {
  let confirmation: Confirmation;
  const dialog = () => Array.from(document.querySelectorAll<HTMLElement>('[role=dialog]')).pop();
  const button = (name: string) => Array.from(dialog()?.querySelectorAll('button') ?? []).find((b) => b.textContent?.trim() === name) as HTMLButtonElement;
  const settle = async () => {
    TestBed.tick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    TestBed.tick();
  };
  const fill = async (value: string) => {
    const input = dialog()!.querySelector('input')!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await settle();
  };

  beforeEach(() => {
    confirmation = TestBed.inject(Confirmation);
  });

  afterEach(() => TestBed.inject(Dialog).closeAll());

  it('is a modal dialog named by its title, and says yes only when confirmed', async () => {
    const answer = confirmation.confirm({ title: 'Restart web?', message: 'New pods replace the old ones one by one.', confirm: 'Restart' });
    await settle();
    expect(dialog()?.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById(dialog()!.getAttribute('aria-labelledby')!)?.textContent).toBe('Restart web?');
    expect(dialog()?.textContent).toContain('New pods replace the old ones one by one.');
    button('Restart').click();
    await expect(answer).resolves.toBe(true);
  });

  it('says no on Cancel and on Escape', async () => {
    const cancelled = confirmation.confirm({ title: 'Remove?', confirm: 'Remove' });
    await settle();
    button('Cancel').click();
    await expect(cancelled).resolves.toBe(false);
    const escaped = confirmation.confirm({ title: 'Remove?', confirm: 'Remove' });
    await settle();
    dialog()!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', keyCode: 27, bubbles: true }));
    await expect(escaped).resolves.toBe(false);
  });

  it('asks for the exact name before something that cannot be undone', async () => {
    const answer = confirmation.confirm({ title: 'Delete Job nightly?', confirm: 'Delete', danger: true, typeToConfirm: 'nightly' });
    await settle();
    expect(button('Delete').disabled).toBe(true);
    expect(dialog()?.textContent).toContain('Type nightly to confirm.');
    await fill('night');
    expect(button('Delete').disabled).toBe(true);
    expect(dialog()?.textContent).toContain('Type nightly exactly to confirm.');
    await fill('nightly');
    expect(button('Delete').disabled).toBe(false);
    button('Delete').click();
    await expect(answer).resolves.toBe(true);
  });

  it('asks for a value, says what is wrong with it, and gives back what was entered', async () => {
    const answer = confirmation.prompt({
      title: 'Scale web',
      label: 'Replicas',
      value: 3,
      type: 'number',
      confirm: 'Scale',
      check: (v) => (/^\d+$/.test(v) ? undefined : 'Replicas must be a whole number, 0 or more.'),
    });
    await settle();
    expect(dialog()!.querySelector('input')!.value).toBe('3');
    await fill('-1');
    expect(dialog()?.textContent).toContain('Replicas must be a whole number, 0 or more.');
    expect(button('Scale').disabled).toBe(true);
    await fill('5');
    dialog()!.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await expect(answer).resolves.toBe('5');
    const cancelled = confirmation.prompt({ title: 'Scale web', label: 'Replicas', value: 3, confirm: 'Scale' });
    await settle();
    button('Cancel').click();
    await expect(cancelled).resolves.toBeUndefined();
  });
});
