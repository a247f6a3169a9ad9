/** An error as a log line shows it. */
export type LoggedError = { type: string; message: string; code?: string; stack?: string; cause?: LoggedError; errors?: LoggedError[] };

/** How deep causes are followed: a loop of causes must not loop the serializer. */
const MAX_DEPTH = 5;

/**
 * An error's type, message, code and stack, and the same of its causes: never the objects it
 * points to. pino's own serializer copies every enumerable property, and errors of database
 * drivers carry their client (its connection parameters, the SQL of its prepared statements),
 * kilobytes of it on a line, once per pooled connection.
 */
export function serializeError(err: unknown, depth = 0): LoggedError | unknown {
  if (!(err instanceof Error)) return err;
  const { code } = err as Error & { code?: unknown };
  const { cause } = err as Error & { cause?: unknown };
  return {
    type: err.name,
    message: err.message,
    ...((typeof code === 'string' || typeof code === 'number') && { code: String(code) }),
    ...(err.stack && { stack: err.stack }),
    ...(cause instanceof Error && depth < MAX_DEPTH && { cause: serializeError(cause, depth + 1) as LoggedError }),
    ...(err instanceof AggregateError && depth < MAX_DEPTH && { errors: err.errors.map((e: unknown) => serializeError(e, depth + 1) as LoggedError) }),
  };
}
