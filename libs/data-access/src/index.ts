export { ApiClient, ApiError, query } from './lib/api-client';
export type { ApiClientOptions, KindRef, KubeList, KubeObject, ListOptions, UserClusterEntries } from './lib/api-client';
export { WatchStream } from './lib/watch-stream';
export type { WatchListener, WatchStreamOptions, WatchTarget } from './lib/watch-stream';
export { Permissions } from './lib/permissions';
export { ConsoleContext } from './lib/console-context';
export type { ClusterSettings } from './lib/console-context';
