import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs `deleteBatch` (a `delete … returning 1` whose last parameter is the batch size) until a
 * batch comes back short. Each batch is its own statement, so that a purge never holds many
 * locks for long. Returns how many rows went.
 */
export async function deleteInBatches(em: EntityManager, deleteBatch: string, params: unknown[], batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await em.execute<{ n: string }[]>(`with gone as (${deleteBatch}) select count(*) as n from gone`, [...params, batch]);
    const n = Number(rows[0]!.n);
    total += n;
    if (n < batch) return total;
  }
}
