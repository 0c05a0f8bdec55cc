import { ChangeDetectionStrategy, Component } from '@angular/core';

/** `/clusters`: the console's home, every cluster the user can reach. */
@Component({
  selector: 'cairn-clusters-home',
  templateUrl: './clusters-home.html',
  styleUrl: './clusters-home.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClustersHome {}
