import type { EntityManager } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import { ValidationError } from '../errors.js';
import type { ContextFactory } from '../graphql/context-factory.js';
import { EVENT_COLUMNS, READABLE_BELOW, toEventRow } from '../outbox/event-log.js';
import { PublishedEvent } from '../subscriptions/published.js';
import { renderPublished, shapeOf, type ErrorFormatter } from '../subscriptions/shared-execution.js';
import type { AttemptRow } from '../webhooks/delivery-log.js';
import type { WebhookSender } from '../webhooks/sender.js';
import { sendTest } from '../webhooks/tester.js';
import { endpointTarget, parseEndpointId } from '../webhooks/target.js';
import { previousSecretWhileValid } from '../webhooks/sql-conditions.js';
import { getEndpoint } from './endpoint-store.js';
import type { SubscriptionDocument } from './subscription-document.js';

/** How far back in the log a test looks for an event the endpoint's document chooses. */
const SAMPLE_SCAN = 1_000;

/** What rendering a document for an event needs. */
export type RenderDeps = {
  schema: GraphQLSchema;
  makeContext: ContextFactory;
  formatError: ErrorFormatter;
  checkDocument(text: string, variables: Record<string, unknown> | null): SubscriptionDocument;
};

export type EndpointTestDeps = RenderDeps & { sender: WebhookSender };

/** A document's body for the newest event of the log it chooses, as its delivery would carry it; null when none of the newest events is chosen. */
async function renderNewestChosen(em: EntityManager, document: SubscriptionDocument, deps: RenderDeps): Promise<{ eventType: string; body: string } | null> {
  const types = document.selection.types;
  const rows = await em.execute<Parameters<typeof toEventRow>[0][]>(
    `select ${EVENT_COLUMNS} from events e
     where e.txid < ${READABLE_BELOW} ${types ? 'and e.type in (select jsonb_array_elements_text(?::jsonb))' : ''}
     order by e.txid desc, e.seq desc limit ?`,
    types ? [JSON.stringify(types), SAMPLE_SCAN] : [SAMPLE_SCAN],
  );
  const row = rows.map(toEventRow).find((r) => document.selection.accepts(r));
  if (!row) return null;
  const args = { schema: deps.schema, document: document.document, variableValues: document.variables ?? {} };
  const rendered = await renderPublished(args, shapeOf(args), new PublishedEvent(row, deps.makeContext), deps.formatError);
  return { eventType: row.type, body: rendered.bytes.toString('utf8') };
}

/**
 * A dry run of a subscription document before it is saved: checked as an endpoint's would be
 * (a bad one is refused the same way), then rendered for the newest event of the log it
 * chooses. Nothing is written or sent. Null when no event among the newest it scans is chosen.
 */
export async function previewEndpoint(em: EntityManager, text: string, variables: Record<string, unknown> | null, deps: RenderDeps): Promise<unknown> {
  const document = deps.checkDocument(text, variables);
  const rendered = await renderNewestChosen(em, document, deps);
  return rendered ? (JSON.parse(rendered.body) as unknown) : null;
}

/**
 * Sends an endpoint a webhook now, outside the delivery log, and returns the attempt. Its
 * sample is the newest event of the log that the endpoint's document chooses, rendered as its
 * delivery would be: the reference's sample records do not exist in the database, so the
 * fields of a document's record could not be resolved for them.
 */
export async function testEndpoint(em: EntityManager, id: string, deps: EndpointTestDeps): Promise<AttemptRow> {
  const endpoint = await getEndpoint(em, parseEndpointId(id));
  const document = deps.checkDocument(endpoint.subscription, endpoint.variables);
  const rendered = await renderNewestChosen(em, document, deps);
  if (!rendered) {
    throw new ValidationError(`No event among the newest ${SAMPLE_SCAN} of the log is one that endpoint ${id}'s document chooses: make a change it subscribes to, then test`, {
      field: 'id',
      value: id,
    });
  }
  const [secrets] = await em.execute<{ bearer_token: string | null; signing_secret: string; previous_signing_secret: string | null }[]>(
    `select s.bearer_token, c.signing_secret, ${previousSecretWhileValid('c')} as previous_signing_secret
     from webhook_channels c, webhook_settings s where c.channel = ? and s.id = 1`,
    [endpointTarget(endpoint.id)],
  );
  const message = {
    url: endpoint.url,
    eventType: rendered.eventType,
    body: rendered.body,
    bearerToken: secrets!.bearer_token,
    signingSecret: secrets!.signing_secret,
    previousSigningSecret: secrets!.previous_signing_secret,
  };
  return sendTest(deps.sender, message);
}
