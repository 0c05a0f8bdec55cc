import { Routes } from '@angular/router';
import { WorkloadKindView } from './workload-kind-view/workload-kind-view';
import { WorkloadsPage } from './workloads-page/workloads-page';

/** Exposed to the shell as `./routes`; mounted under the route the manifest gives (`/workloads`). */
export const routes: Routes = [
  {
    path: '',
    component: WorkloadsPage,
    title: 'Workloads',
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'deployments' },
      { path: ':kind', component: WorkloadKindView },
    ],
  },
];
