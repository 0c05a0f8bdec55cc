import { ApiClient, memoryUserClusterBackend, Permissions, UserClusterStore, WatchStream } from '@cairn/data-access';

/** What the fake gateway answers for one request: a status and a JSON body. */
export type Answer = [status: number, body: unknown];
export type Route = (request: { method: string; path: string; search: URLSearchParams; headers: Record<string, string>; body: unknown }) => Answer | undefined;

/**
 * The gateway as the views see it, for unit tests: routes are tried in order, the first
 * answer wins, anything else is a 404 naming the request. Records every request.
 */
export function fakeGateway(...routes: Route[]) {
  const requests: string[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const path = decodeURIComponent(url.pathname);
    requests.push(`${method} ${path}${url.search}`);
    const request = { method, path, search: url.searchParams, headers: (init?.headers ?? {}) as Record<string, string>, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    const [status, body] = routes.reduce<Answer | undefined>((found, route) => found ?? route(request), undefined) ?? [404, { message: `no fake for ${method} ${path}` }];
    return { ok: status < 400, status, statusText: '', headers: { get: () => null }, json: async () => body } as unknown as Response;
  };
  return { fetch, requests };
}

/** Answers `GET <path>` (exact path, any query). */
export const get =
  (path: string, answer: Answer | ((search: URLSearchParams, headers: Record<string, string>) => Answer)): Route =>
  (r) =>
    r.method === 'GET' && r.path === path ? (typeof answer === 'function' ? answer(r.search, r.headers) : answer) : undefined;

export const post =
  (path: string, answer: (body: unknown) => Answer): Route =>
  (r) =>
    r.method === 'POST' && r.path === path ? answer(r.body) : undefined;

/** The providers a view needs: the client on the fake gateway, a store in memory, a watch stream that never delivers. */
export function testProviders(gateway: ReturnType<typeof fakeGateway>, store = new UserClusterStore(memoryUserClusterBackend())) {
  const api = new ApiClient({ baseUrl: 'http://cairn.test/', fetch: gateway.fetch, userClusters: store });
  const watch = { subscribe: () => () => undefined } as unknown as WatchStream;
  return { api, store, providers: [{ provide: ApiClient, useValue: api }, { provide: UserClusterStore, useValue: store }, { provide: WatchStream, useValue: watch }, { provide: Permissions, useValue: new Permissions(api) }] };
}

/** Lets pending promises and timers settle, then renders. */
export async function settle(fixture: { whenStable(): Promise<unknown>; detectChanges(): void }, rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setTimeout(r, 0));
    await fixture.whenStable();
  }
  fixture.detectChanges();
}
