import { useRef, useState } from 'preact/hooks';
import { message } from './ui';

/** What a list field of the API answers: a connection's nodes and where the next page starts. */
export type PageOf<T> = { edges: { node: T }[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };

/**
 * A list the console reads page by page: its rows so far, the cursor of the next page, and the
 * error of the last read. load() reads the first page again, load(after) appends the next;
 * every read and every change the page makes to the rows (overtake()) is counted, and an answer
 * that a later one overtook is dropped, so a slow read never undoes a newer filter or action.
 */
export function usePagedList<T>(read: (after: string | null) => Promise<PageOf<T>>) {
  const [rows, setRows] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);

  const load = async (after: string | null = null) => {
    setError(null);
    const mine = ++generation.current;
    try {
      const page = await read(after);
      if (mine !== generation.current) return;
      const nodes = page.edges.map((e) => e.node);
      setRows((current) => (after ? [...(current ?? []), ...nodes] : nodes));
      setNext(page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null);
    } catch (err) {
      setError(message(err));
    }
  };
  const overtake = () => {
    generation.current++;
  };
  return { rows, setRows, next, error, setError, load, overtake };
}
