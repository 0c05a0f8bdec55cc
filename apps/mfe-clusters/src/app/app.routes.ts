import { Routes } from '@angular/router';
import { ClustersHome } from './clusters-home/clusters-home';

/** Exposed to the shell as `./routes`; mounted under the route the manifest gives (`/clusters`). */
export const routes: Routes = [{ path: '', component: ClustersHome, title: 'Clusters' }];
