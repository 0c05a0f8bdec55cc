import type { DrainEvent } from '@cairn/api-contracts';
import { ApiClient, ApiError } from './api-client';

/** ApiClient.drain reads the gateway's NDJSON lines however the network cuts them. */
describe('ApiClient.drain', () => {
  const lines: DrainEvent[] = [
    { type: 'cordoned', node: 'n1', already: false },
    { type: 'pod', namespace: 'team-a', name: 'web-1', state: 'waiting', budget: 'web', message: 'Waiting on budget web' },
    { type: 'done', result: 'drained', message: 'Node n1 is drained.' },
  ];

  const answering = (chunks: string[], status = 200) => {
    const sent: Array<{ url: string; init?: RequestInit }> = [];
    const client = new ApiClient({
      baseUrl: 'http://console.test/',
      fetch: async (input, init) => {
        sent.push({ url: String(input), init });
        const encoder = new TextEncoder();
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
            controller.close();
          },
        });
        return new Response(status === 200 ? body : JSON.stringify({ statusCode: status, message: 'Cluster cairn-dev refused: nodes "n1" is forbidden' }), { status, headers: { 'content-type': status === 200 ? 'application/x-ndjson' : 'application/json' } });
      },
    });
    return { client, sent };
  };

  it('yields each line once whole, across chunk boundaries, and posts the choices to the node', async () => {
    const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    const { client, sent } = answering([text.slice(0, 7), text.slice(7, 90), text.slice(90)]);
    const seen: DrainEvent[] = [];
    for await (const event of client.drain('cairn-dev', 'n1', { force: true })) seen.push(event);
    expect(seen).toEqual(lines);
    expect(sent[0]?.url).toBe('http://console.test/api/v1/clusters/cairn-dev/nodes/n1/drain');
    expect(sent[0]?.init?.method).toBe('POST');
    expect(JSON.parse(String(sent[0]?.init?.body))).toEqual({ force: true });
  });

  it('throws the refusal before anything streams', async () => {
    const { client } = answering([], 403);
    await expect(client.drain('cairn-dev', 'n1', {}).next()).rejects.toBeInstanceOf(ApiError);
  });
});
