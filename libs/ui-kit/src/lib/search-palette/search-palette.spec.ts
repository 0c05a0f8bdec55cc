import { TestBed } from '@angular/core/testing';
import { PaletteGroup, PaletteOption, SearchPalette } from './search-palette';

describe('SearchPalette', () => {
  const groups: PaletteGroup[] = [
    { id: 'deploy', label: 'Deployment', count: '2', options: [{ id: 'a', label: 'web', detail: 'team-a', href: '/x/web' }, { id: 'b', label: 'api', detail: 'team-b', href: '/x/api' }] },
    { id: 'pod', label: 'Pod', options: [{ id: 'c', label: 'web-1', href: '/x/web-1' }] },
  ];

  async function render() {
    const fixture = TestBed.createComponent(SearchPalette);
    fixture.componentRef.setInput('label', 'Search every cluster');
    fixture.componentRef.setInput('groups', groups);
    fixture.componentRef.setInput('status', '3 found');
    const chosen: PaletteOption[] = [];
    fixture.componentInstance.activate.subscribe(({ option }) => chosen.push(option));
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const input = el.querySelector('input') as HTMLInputElement;
    const key = async (k: string, init: KeyboardEventInit = {}) => {
      input.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
      await fixture.whenStable();
    };
    const activeLabel = () => (input.getAttribute('aria-activedescendant') ? el.querySelector(`#${input.getAttribute('aria-activedescendant')} .cairn-palette-label`)?.textContent : undefined);
    return { fixture, el, input, key, activeLabel, chosen };
  }

  it('is a combobox over a listbox of named groups of options', async () => {
    const { el, input } = await render();
    expect(input.getAttribute('role')).toBe('combobox');
    expect(input.getAttribute('aria-label')).toBe('Search every cluster');
    const list = el.querySelector('[role=listbox]') as HTMLElement;
    expect(input.getAttribute('aria-controls')).toBe(list.id);
    expect(input.getAttribute('aria-expanded')).toBe('true');
    const names = Array.from(list.querySelectorAll('[role=group]')).map((g) => document.getElementById(g.getAttribute('aria-labelledby') as string)?.textContent?.trim() ?? el.querySelector(`#${g.getAttribute('aria-labelledby')}`)?.textContent?.trim());
    expect(names).toEqual(['Deployment · 2', 'Pod']);
    expect(Array.from(list.querySelectorAll('[role=option]')).map((o) => o.getAttribute('href'))).toEqual(['/x/web', '/x/api', '/x/web-1']);
    expect(el.querySelector('[role=status]')?.textContent).toBe('3 found');
  });

  it('moves with the arrows (wrapping), opens with Enter, and opens the first when none is active', async () => {
    const first = await render();
    await first.key('Enter');
    expect(first.chosen.map((o) => o.id)).toEqual(['a']);

    const { key, activeLabel, chosen } = await render();
    expect(activeLabel()).toBeUndefined();
    await key('ArrowDown');
    expect(activeLabel()).toBe('web');
    await key('ArrowDown');
    await key('ArrowDown');
    expect(activeLabel()).toBe('web-1');
    await key('ArrowDown');
    expect(activeLabel()).toBe('web');
    await key('ArrowUp');
    expect(activeLabel()).toBe('web-1');
    await key('Home', { ctrlKey: true });
    expect(activeLabel()).toBe('web');
    await key('End', { ctrlKey: true });
    expect(activeLabel()).toBe('web-1');
    const active = document.querySelector('[aria-selected=true]');
    expect(active?.textContent).toContain('web-1');
    await key('Enter');
    expect(chosen.map((o) => o.id)).toEqual(['c']);
  });

  it('keeps the active option when results arrive above it, and forgets it when the query changes', async () => {
    const { fixture, input, key, activeLabel } = await render();
    await key('ArrowDown');
    await key('ArrowDown');
    expect(activeLabel()).toBe('api');
    fixture.componentRef.setInput('groups', [{ id: 'svc', label: 'Service', options: [{ id: 's', label: 'web-svc', href: '/x/s' }] }, ...groups]);
    await fixture.whenStable();
    expect(activeLabel()).toBe('api');
    input.value = 'web ';
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    expect(fixture.componentInstance.query()).toBe('web ');
    expect(activeLabel()).toBeUndefined();
  });
});
