import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery, type Transaction } from 'kysely';
import type pg from 'pg';
import { ValidationError } from '../errors.js';
import type { SqlPool } from './sql-pool.js';

/**
 * A change written as one statement, in PostgreSQL's own dialect ($1, $2, …). The name is a
 * digest of the text, so that each shape is prepared once per connection: PostgreSQL keeps
 * only 63 bytes of a name, and two shapes whose names agreed that far would share one plan.
 */
export type Statement = { name: string; text: string };

export function statement(purpose: string, text: string): Statement {
  return { name: `${purpose}:${createHash('sha256').update(text).digest('base64url')}`, text };
}

/** Where a statement runs: the plain pool (one statement, one implicit transaction) or a transaction that is already open. */
export type Sql = { rows<R>(statement: Statement, values: readonly unknown[]): Promise<R[]> };

/** On the plain pool, prepared: the hot paths. */
export function poolSql(pool: SqlPool): Sql {
  return {
    async rows<R>(s: Statement, values: readonly unknown[]) {
      const result = await pool.query({ name: s.name, text: s.text, values: values as unknown[] }).catch(refused);
      return result.rows as R[];
    },
  };
}

/** On one connection of the plain pool, prepared: a transaction held by its caller (the endpoints' materialiser). */
export function clientSql(client: pg.PoolClient): Sql {
  return {
    async rows<R>(s: Statement, values: readonly unknown[]) {
      const result = await client.query({ name: s.name, text: s.text, values: values as unknown[] }).catch(refused);
      return result.rows as R[];
    },
  };
}

/**
 * Inside a transaction of the ORM (a rule that runs with the change that triggered it): the
 * same text and values, run on the transaction's own connection.
 */
export function transactionSql(tx: EntityManager): Sql {
  const transaction = tx.getTransactionContext<Transaction<unknown>>();
  if (!transaction) throw new Error('transactionSql needs an EntityManager inside a transaction');
  return {
    async rows<R>(s: Statement, values: readonly unknown[]) {
      const result = await transaction.executeQuery(CompiledQuery.raw(s.text, [...values])).catch(refused);
      return result.rows as R[];
    },
  };
}

/** SQLSTATE of refuse_change(): a check inside a statement refused the change, and nothing was written. */
const CHANGE_REFUSED = 'RE400';

/** refuse_change()'s error becomes the ValidationError it describes; anything else is rethrown as it is. */
function refused(err: unknown): never {
  const pgError = err as { code?: string; detail?: string };
  if (pgError.code !== CHANGE_REFUSED) throw err;
  const { message, details } = JSON.parse(pgError.detail ?? '{}') as { message: string; details: Record<string, unknown> };
  throw new ValidationError(message, details);
}
