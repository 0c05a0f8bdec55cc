import { DOCUMENT, effect, inject, Injectable, signal } from '@angular/core';

export type ThemeName = 'light' | 'dark';
const STORAGE_KEY = 'cairn.theme';

/** Light or dark: the system's preference until the user picks one, then theirs, kept in this browser. */
@Injectable({ providedIn: 'root' })
export class Theme {
  private readonly document = inject(DOCUMENT);
  readonly current = signal<ThemeName>(this.initial());

  constructor() {
    effect(() => this.document.documentElement.setAttribute('data-theme', this.current()));
  }

  toggle(): void {
    const next = this.current() === 'dark' ? 'light' : 'dark';
    this.current.set(next);
    this.document.defaultView?.localStorage.setItem(STORAGE_KEY, next);
  }

  private initial(): ThemeName {
    const window = this.document.defaultView;
    const stored = window?.localStorage.getItem(STORAGE_KEY);
    if (stored === 'light' || stored === 'dark') {
      return stored;
    }
    return window?.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
}
