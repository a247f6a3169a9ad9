import { useEffect } from 'preact/hooks';
import { request } from '../api';
import { graphql } from '../gql';
import type { ConsoleAuditQuery } from '../gql/graphql';
import { usePagedList } from '../paged-list';
import { Alert, Code, More, pretty, when } from '../ui';

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
  const { rows, next, error, load } = usePagedList<Entry>(async (after) => (await request(ReadAudit, { after })).auditLog);
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
