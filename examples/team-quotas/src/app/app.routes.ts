import { Routes } from '@angular/router';
import { QuotasPage } from './quotas-page';

/** Exposed as `./routes`; the console mounts it under the route its ConfigMap gives. */
export const routes: Routes = [{ path: '', component: QuotasPage, title: 'Quotas' }];
