import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { MFE_MANIFEST } from '../remotes/remotes';

/** `/`: the console's modules at a glance. */
@Component({
  selector: 'cairn-home',
  imports: [RouterLink],
  template: `
    <h1>Cairn</h1>
    @if (remotes.length > 0) {
      <p>Choose where to go:</p>
      <ul class="modules">
        @for (remote of remotes; track remote.name) {
          <li><a [routerLink]="'/' + remote.route">{{ remote.label }}</a></li>
        }
      </ul>
    } @else {
      <p>No console modules are registered. Whoever runs this console lists them in the gateway's
        remotes setting; until then there is nothing to show.</p>
    }
  `,
  styles: `.modules { line-height: 2; padding-left: 1.25rem; }`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Home {
  protected readonly remotes = inject(MFE_MANIFEST).remotes;
}
