import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** The navigation's icons; a remote names one in the manifest, unknown names get the generic one. */
@Component({
  selector: 'cairn-nav-icon',
  template: `
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor"
      stroke-width="1.75" stroke-linecap="round" stroke-linejoin="round">
      @switch (name()) {
        @case ('workloads') {
          <rect x="3" y="3" width="7" height="7" rx="1" /><rect x="14" y="3" width="7" height="7" rx="1" />
          <rect x="3" y="14" width="7" height="7" rx="1" /><rect x="14" y="14" width="7" height="7" rx="1" />
        }
        @case ('logs') {
          <path d="M4 6h16M4 10h16M4 14h10M4 18h7" />
        }
        @case ('clusters') {
          <circle cx="12" cy="5" r="2.5" /><circle cx="5" cy="18" r="2.5" /><circle cx="19" cy="18" r="2.5" />
          <path d="M10.8 7.2 6.2 15.8M13.2 7.2l4.6 8.6M7.5 18h9" />
        }
        @default {
          <rect x="4" y="4" width="16" height="16" rx="3" /><path d="M9 12h6M12 9v6" />
        }
      }
    </svg>
  `,
  host: { class: 'nav-icon' },
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NavIcon {
  readonly name = input<string | undefined>();
}
