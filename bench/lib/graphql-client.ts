import { Pool } from 'undici';

/**
 * A GraphQL-over-HTTP caller on keep-alive connections (undici's Pool: one connection per
 * concurrent caller, no pipelining), cheap enough that the load generator is not what
 * runs out of CPU first. A non-200 answer or a body with `errors` throws.
 */
export class GraphQLClient {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;

  constructor(baseUrl: string, token: string | undefined, connections: number) {
    this.pool = new Pool(baseUrl, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
    this.headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  }

  async request<T = unknown>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await this.pool.request({ path: '/graphql', method: 'POST', headers: this.headers, body: JSON.stringify({ query, variables }) });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text.includes('"errors"')) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
    return (JSON.parse(text) as { data: T }).data;
  }

  /** Like request, without parsing the answer: for the hot loop. */
  async send(body: string): Promise<void> {
    const res = await this.pool.request({ path: '/graphql', method: 'POST', headers: this.headers, body });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text.includes('"errors"')) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
