import type { ComponentChildren } from 'preact';
import { ApiError } from './api';

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }) : '—';
}

export function message(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}

/** A JSON text pretty-printed, or the text as it is when it is not JSON. */
export function pretty(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value, null, 2);
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}

export function Code({ children, label }: { children: string; label: string }) {
  return (
    <pre class="code" tabIndex={0} aria-label={label}>
      {children}
    </pre>
  );
}

export function Alert({ children }: { children: ComponentChildren }) {
  return children ? (
    <p class="alert" role="alert">
      {children}
    </p>
  ) : null;
}

export function Notice({ children }: { children: ComponentChildren }) {
  return children ? (
    <p class="notice" role="status">
      {children}
    </p>
  ) : null;
}

/** Reads the next page of a list after its cursor; shown while there is one. */
export function More({ after, onMore }: { after: string | null; onMore(after: string): void }) {
  return after ? (
    <button type="button" class="secondary" onClick={() => onMore(after)}>
      More
    </button>
  ) : null;
}
