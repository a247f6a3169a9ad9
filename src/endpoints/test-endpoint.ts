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

export type EndpointTestDeps = {
  schema: GraphQLSchema;
  makeContext: ContextFactory;
  formatError: ErrorFormatter;
  sender: WebhookSender;
  checkDocument(text: string, variables: Record<string, unknown> | null): SubscriptionDocument;
};

/**
 * Sends an endpoint a webhook now, outside the delivery log, and returns the attempt. Its
 * sample is the newest event of the log that the endpoint's document chooses, rendered as its
 * delivery would be: the reference's sample records do not exist in the database, so the
 * fields of a document's record could not be resolved for them.
 */
export async function testEndpoint(em: EntityManager, id: string, deps: EndpointTestDeps): Promise<AttemptRow> {
  const endpoint = await getEndpoint(em, parseEndpointId(id));
  const document = deps.checkDocument(endpoint.subscription, endpoint.variables);
  const types = document.selection.types;
  const rows = await em.execute<Parameters<typeof toEventRow>[0][]>(
    `select ${EVENT_COLUMNS} from events e
     where e.txid < ${READABLE_BELOW} ${types ? 'and e.type in (select jsonb_array_elements_text(?::jsonb))' : ''}
     order by e.txid desc, e.seq desc limit ?`,
    types ? [JSON.stringify(types), SAMPLE_SCAN] : [SAMPLE_SCAN],
  );
  const row = rows.map(toEventRow).find((r) => document.selection.accepts(r));
  if (!row) {
    throw new ValidationError(`No event among the newest ${SAMPLE_SCAN} of the log is one that endpoint ${id}'s document chooses: make a change it subscribes to, then test`, {
      field: 'id',
      value: id,
    });
  }
  const args = { schema: deps.schema, document: document.document, variableValues: document.variables ?? {} };
  const rendered = await renderPublished(args, shapeOf(args), new PublishedEvent(row, deps.makeContext), deps.formatError);
  const [secrets] = await em.execute<{ bearer_token: string | null; signing_secret: string; previous_signing_secret: string | null }[]>(
    `select s.bearer_token, c.signing_secret, ${previousSecretWhileValid('c')} as previous_signing_secret
     from webhook_channels c, webhook_settings s where c.channel = ? and s.id = 1`,
    [endpointTarget(endpoint.id)],
  );
  const message = {
    url: endpoint.url,
    eventType: row.type,
    body: rendered.bytes.toString('utf8'),
    bearerToken: secrets!.bearer_token,
    signingSecret: secrets!.signing_secret,
    previousSigningSecret: secrets!.previous_signing_secret,
  };
  return sendTest(deps.sender, message);
}
