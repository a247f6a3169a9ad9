import { CONFIDENCE_DISPLAY, CONFIDENCE_FLOORS, CONTACT_TYPE_DISPLAY, SOURCE_DISPLAY, STATUS_DISPLAY } from './display.js';

/**
 * The webhook bodies of payloads.ts as SQL expressions over table rows, for the statements
 * that write a change and its event in one round trip: the payload is built from the row as
 * the statement wrote it. `row_to_json` keeps the keys in the order of payloads.ts and writes
 * compact JSON. A test holds each expression equal to its TypeScript function for the same rows.
 */

/** A timestamp as the payloads write it: ISO 8601 in UTC to the second. */
export const isoSql = (expression: string) => `to_char(${expression} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/** Our own display strings as a CASE over an enum column: constants of display.ts, never input. */
function displaySql(expression: string, display: Record<string, string>): string {
  return `case ${expression}::text ${Object.entries(display)
    .map(([value, shown]) => `when '${value}' then '${shown}'`)
    .join(' ')} end`;
}

function confidenceLabelSql(score: string): string {
  const labels = CONFIDENCE_FLOORS.map(([label, floor]) =>
    Number.isFinite(floor) ? `when ${score} >= ${floor} then '${CONFIDENCE_DISPLAY[label]}'` : `when ${score} is not null then '${CONFIDENCE_DISPLAY[label]}'`,
  );
  return `case ${labels.join(' ')} end`;
}

/** contactPayload() of a contacts row. */
export function contactPayloadSql(c: string): string {
  return `(select row_to_json(p) from (select ${c}.id, ${c}.name, ${displaySql(`${c}.type`, CONTACT_TYPE_DISPLAY)} as type,
    ${c}.email, ${c}.phone, ${c}.notes, ${isoSql(`${c}.created_at`)} as created_at, ${isoSql(`${c}.updated_at`)} as updated_at) p)`;
}

/** folderPayload() of a folders row and its contact's row. */
export function folderPayloadSql(f: string, contact: string): string {
  return `(select row_to_json(p) from (select ${f}.id, ${f}.name, ${contact}.id as contact_id, ${contact}.name as contact_name,
    ${isoSql(`${f}.created_at`)} as created_at, ${isoSql(`${f}.updated_at`)} as updated_at) p)`;
}

/** documentPayload() of a documents row, its contact's and folder's rows, and the public URL (an expression: a parameter). */
export function documentPayloadSql(d: string, contact: string, folder: string, publicUrl: string): string {
  const lineItems = `coalesce((select json_agg((select row_to_json(i) from (select li.x->'description' as description, li.x->'quantity' as quantity,
      li.x->'unitPrice' as unit_price, li.x->'amount' as amount) i) order by li.n)
    from jsonb_array_elements(${d}.line_items) with ordinality as li(x, n)), '[]'::json)`;
  return `(select row_to_json(p) from (select ${d}.id, ${d}.filename, ${d}.original_filename,
    ${displaySql(`${d}.status`, STATUS_DISPLAY)} as status, ${displaySql(`${d}.source`, SOURCE_DISPLAY)} as source,
    ${d}.doc_type, ${d}.doc_date, ${contact}.id as contact_id, ${contact}.name as contact_name,
    ${folder}.id as folder_id, ${folder}.name as folder_name, ${d}.ai_summary, ${d}.confidence_score,
    ${confidenceLabelSql(`${d}.confidence_score`)} as confidence_label, ${d}.confidence_reasoning,
    ${d}.extracted_fields, ${lineItems} as line_items, ${d}.external_refs,
    ${publicUrl} || '/api/document/' || ${d}.id || '/view' as doc_url,
    ${isoSql(`${d}.created_at`)} as created_at, ${isoSql(`${d}.updated_at`)} as updated_at) p)`;
}
