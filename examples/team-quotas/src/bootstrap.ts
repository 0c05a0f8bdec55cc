import { bootstrapStandaloneRemote } from '@cairn/ui-kit-standalone';
import { routes } from './app/app.routes';

// Served on its own (`npx nx serve team-quotas`): the routes under the console's path, against a running console's API.
bootstrapStandaloneRemote({ name: 'team-quotas', routes, route: 'quotas' }).catch((err) => console.error(err));
