import { useEffect, useState } from 'preact/hooks';
import { request } from '../api';
import { graphql } from '../gql';
import type { DocumentStatus } from '../gql/graphql';
import { usePagedList } from '../paged-list';
import { Alert, More, Notice, message, when } from '../ui';
import { useCan } from '../viewer';

const ListDocuments = graphql(`
  query ConsoleDocuments($filter: DocumentFilter, $after: String) {
    documents(filter: $filter, first: 50, after: $after) {
      edges {
        node {
          id
          filename
          status
          docType
          statusChangedAt
          contact {
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const Approve = graphql(`
  mutation ApproveDocument($id: ID!) {
    setDocumentStatus(id: $id, status: APPROVED) {
      id
      status
    }
  }
`);

const Export = graphql(`
  mutation WebhookExport($id: ID!) {
    exportDocument(id: $id) {
      id
      status
    }
  }
`);

const STATUSES: DocumentStatus[] = ['NEW', 'PROCESSING', 'NEEDS_REVIEW', 'MISSING_INFO', 'READY', 'APPROVED', 'EXPORT', 'EXCEPTION', 'ARCHIVED'];

type Row = { id: string; filename: string; status: DocumentStatus; docType?: string | null; statusChangedAt: string; contact: { name: string } };

export function DocumentsPage() {
  const can = useCan();
  const [status, setStatus] = useState<DocumentStatus | ''>('');
  const [done, setDone] = useState<string | null>(null);
  const { rows, setRows, next, error, setError, load, overtake } = usePagedList<Row>(
    async (after) => (await request(ListDocuments, { filter: status ? { status } : null, after })).documents,
  );
  useEffect(() => void load(), [status]);

  const act = async (row: Row, action: 'approve' | 'export') => {
    setError(null);
    setDone(null);
    overtake();
    try {
      const doc = action === 'approve' ? (await request(Approve, { id: row.id })).setDocumentStatus : (await request(Export, { id: row.id })).exportDocument;
      setDone(action === 'approve' ? `${row.filename} approved.` : `${row.filename} exported: its document.exported webhook is queued.`);
      setRows((rows ?? []).map((r) => (r.id === doc.id ? { ...r, status: doc.status } : r)));
    } catch (err) {
      setError(message(err));
    }
  };

  return (
    <section>
      <h1>Documents</h1>
      <div class="filters">
        <div class="field">
          <label for="status-filter">Status</label>
          <select id="status-filter" value={status} onChange={(e) => setStatus(e.currentTarget.value as DocumentStatus | '')}>
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Alert>{error}</Alert>
      <Notice>{done}</Notice>
      {rows && rows.length === 0 && <p>No documents.</p>}
      {rows && rows.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Documents</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">File</th>
                <th scope="col">Contact</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Since</th>
                {can('WRITE') && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>{r.id}</td>
                  <td>{r.filename}</td>
                  <td>{r.contact.name}</td>
                  <td>{r.docType ?? '—'}</td>
                  <td>
                    <span class={`status s-${r.status.toLowerCase()}`}>{r.status}</span>
                  </td>
                  <td>{when(r.statusChangedAt)}</td>
                  {can('WRITE') && (
                    <td>
                      {r.status === 'READY' && (
                        <button type="button" class="secondary" onClick={() => act(r, 'approve')} aria-label={`Approve ${r.filename}`}>
                          Approve
                        </button>
                      )}
                      {r.status === 'APPROVED' && (
                        <button type="button" onClick={() => act(r, 'export')} aria-label={`Webhook Export ${r.filename}`}>
                          Webhook Export
                        </button>
                      )}
                      {r.status === 'EXPORT' && (
                        <button type="button" class="secondary" onClick={() => act(r, 'export')} aria-label={`Export ${r.filename} again`}>
                          Export again
                        </button>
                      )}
                    </td>
                  )}
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
