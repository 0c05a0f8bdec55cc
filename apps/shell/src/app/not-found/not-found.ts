import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink } from '@angular/router';

@Component({
  selector: 'cairn-not-found',
  imports: [RouterLink],
  template: `
    <h1>Nothing here</h1>
    <p>No page of this console has this address. <a routerLink="/">Go to the start page</a>.</p>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotFound {}
