import { Routes } from '@angular/router';
import { ClusterOverview } from './cluster-overview/cluster-overview';
import { ClustersHome } from './clusters-home/clusters-home';
import { MyPermissions } from './my-permissions/my-permissions';

/** Exposed to the shell as `./routes`; mounted under the route the manifest gives (`/clusters`). */
export const routes: Routes = [
  { path: '', pathMatch: 'full', component: ClustersHome, title: 'Clusters · Cairn' },
  // The console's name of the cluster: `user:<name>` for one added in this browser.
  { path: ':name', component: ClusterOverview, title: 'Cluster · Cairn' },
  // What the person may do there: `?namespace=` (default: `default`; the rules of ClusterRoleBindings show in each).
  { path: ':name/permissions', component: MyPermissions, title: 'My permissions · Cairn' },
];
