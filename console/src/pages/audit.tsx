import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../api';
import { graphql } from '../gql';
import type { ConsoleAuditQuery } from '../gql/graphql';
import { Alert, Code, More, message, pretty, when } from '../ui';

const ReadAudit = graphql(`
  query ConsoleAudit($after: String) {
    auditLog(first: 50, after: $after) {
      edges {
        node {
          id
          at
          actor
          action
          subject
          changes
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

type Entry = ConsoleAuditQuery['auditLog']['edges'][number]['node'];

export function AuditPage() {
  const [rows, setRows] = useState<Entry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Bumped by every load: an answer that a later one overtook is dropped.
  const generation = useRef(0);

  const load = async (after: string | null = null) => {
    setError(null);
    const mine = ++generation.current;
    try {
      const { auditLog } = await request(ReadAudit, { after });
      if (mine !== generation.current) return;
      const page = auditLog.edges.map((e) => e.node);
      setRows(after ? [...(rows ?? []), ...page] : page);
      setNext(auditLog.pageInfo.hasNextPage ? (auditLog.pageInfo.endCursor ?? null) : null);
    } catch (err) {
      setError(message(err));
    }
  };
  useEffect(() => void load(), []);

  return (
    <section>
      <h1>Audit log</h1>
      <p>Who changed the configuration, newest first. Secrets appear only as set, cleared or rotated.</p>
      <div class="row">
        <button type="button" class="secondary" onClick={() => load()}>
          Refresh
        </button>
      </div>
      <Alert>{error}</Alert>
      {rows && rows.length === 0 && <p>No changes recorded.</p>}
      {rows && rows.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Audit log</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Subject</th>
                <th scope="col">Changes</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>{when(r.at)}</td>
                  <td>{r.actor}</td>
                  <td>{r.action}</td>
                  <td>{r.subject ?? '—'}</td>
                  <td>{r.changes == null ? '—' : <Code label={`Changes of ${r.action}`}>{pretty(r.changes)}</Code>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <More after={next} onMore={load} />
    </section>
  );
}
