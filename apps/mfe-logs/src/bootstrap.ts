import { bootstrapStandaloneRemote } from '@cairn/ui-kit-standalone';
import { routes } from './app/app.routes';

// Served on its own (`npx nx serve mfe-logs`): the routes under the console's path, against a running console's API.
bootstrapStandaloneRemote({ name: 'mfe-logs', routes }).catch((err) => console.error(err));
