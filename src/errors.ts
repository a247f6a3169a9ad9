/**
 * The errors a caller can cause. Each carries the GraphQL `extensions.code` it becomes;
 * anything else that escapes a resolver is unexpected, masked and logged in one place
 * (graphql/errors.ts).
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  /**
   * What graphql copies into the GraphQLError it wraps this error in: the code, for the
   * messages no formatError sees (the subscription callback plugin posts results as they are).
   */
  get extensions(): Record<string, unknown> {
    return { ...this.details, code: this.code };
  }
}

/** Input that breaks a rule: `BAD_USER_INPUT`, naming the field and the value. */
export class ValidationError extends AppError {
  readonly code = 'BAD_USER_INPUT';
}

/** An id that names nothing: `NOT_FOUND`. */
export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND';
  constructor(entity: string, id: string | number) {
    super(`${entity} ${JSON.stringify(String(id))} does not exist`, { entity, id: String(id) });
  }
}

/**
 * A cursor the purge has passed: some event after it is gone (WEBHOOK_RETENTION), so reading
 * on from it would skip events without saying so. `CURSOR_EXPIRED`, with `oldestCursor`.
 */
export class CursorExpiredError extends AppError {
  readonly code = 'CURSOR_EXPIRED';
}

/** No token, or a token that is not (or no longer) valid: `UNAUTHENTICATED`. */
export class UnauthenticatedError extends AppError {
  readonly code = 'UNAUTHENTICATED';
}

/** A JSON-safe rendering of an offending value for error messages, cut to a readable length. */
export function describeValue(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Nested too deep for JSON.stringify's recursion (or a cycle): its type says enough.
    return Array.isArray(value) ? '[…] (too deeply nested)' : '{…} (too deeply nested)';
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}
