import { Routes } from '@angular/router';
import { LogsPage } from './logs-page/logs-page';

/** Exposed to the shell as `./routes`; mounted under the route the manifest gives (`/logs`). */
export const routes: Routes = [{ path: '', component: LogsPage, title: 'Logs' }];
