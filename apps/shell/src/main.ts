import { initFederation } from '@angular-architects/native-federation';

// Nothing shared (Angular, our libs) may be imported statically here: the import map that
// resolves them exists only once initFederation has run.
initFederation({}, { hostRemoteEntry: { url: './remoteEntry.json' } })
  .then(async (federation) => (await import('./bootstrap')).bootstrap(federation))
  .catch((error) => {
    console.error('Cairn: the console could not start', error);
    document.body.textContent = `The console could not start: ${error instanceof Error ? error.message : error}. Reload the page; if this persists, tell whoever runs this console.`;
  });
