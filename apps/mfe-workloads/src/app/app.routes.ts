import { Routes } from '@angular/router';
import { Events } from './events/events';
import { HelmReleases } from './helm/helm-releases';
import { OtherKinds } from './other-kinds/other-kinds';
import { Overview } from './overview/overview';
import { WorkloadList } from './workload-list/workload-list';
import { WorkloadsPage } from './workloads-page/workloads-page';

/**
 * An object's page is loaded when first opened: it brings the YAML printer and the code
 * editor (about 36 KB gz of `yaml` alone), which a list never needs.
 */
const detail = () => import('./workload-detail/workload-detail').then((m) => m.WorkloadDetail);
/** The create page brings the same editor, loaded on first use too. */
const create = () => import('./create/create-page').then((m) => m.CreatePage);
/** A Helm release's page brings the YAML printer and the diff, loaded on first use too. */
const helmRelease = () => import('./helm/helm-release').then((m) => m.HelmRelease);
/** The resource map brings its layout library (dagre), loaded on first use too. */
const resourceMap = () => import('./resource-map/resource-map').then((m) => m.ResourceMapPage);

/** Exposed to the shell as `./routes`; mounted under the route the manifest gives (`/workloads`). */
export const routes: Routes = [
  {
    path: '',
    component: WorkloadsPage,
    title: 'Workloads',
    children: [
      { path: '', pathMatch: 'full', component: Overview, title: 'Workloads · Cairn' },
      { path: 'events', component: Events, title: 'Events · Cairn' },
      { path: 'helm', component: HelmReleases, title: 'Helm releases · Cairn' },
      { path: 'map', loadComponent: resourceMap, title: 'Map · Cairn' },
      { path: 'helm/:namespace/:name', loadComponent: helmRelease, title: 'Helm release · Cairn' },
      { path: 'other', component: OtherKinds, title: 'Other kinds · Cairn' },
      { path: 'other/:group/:version/:resource', component: WorkloadList },
      { path: 'other/:group/:version/:resource/:namespace/:name', loadComponent: detail },
      { path: 'create/:group/:version/:resource', loadComponent: create, title: 'Create · Cairn' },
      { path: ':kind', component: WorkloadList },
      // `_` in place of the namespace for cluster-scoped objects.
      { path: ':kind/:namespace/:name', loadComponent: detail },
    ],
  },
];
