import { initFederation } from '@angular-architects/native-federation';

// Only used when this remote is served on its own for development; inside the console the
// shell loads the exposed routes and this file never runs.
initFederation({}, { hostRemoteEntry: { url: './remoteEntry.json' } })
  .then(() => import('./bootstrap'))
  .catch((error) => console.error(error));
