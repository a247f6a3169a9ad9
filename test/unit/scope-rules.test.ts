import { parse, getOperationAST } from 'graphql';
import { describe, expect, it } from 'vitest';
import { API_SCOPES, grants, type ApiScope } from '../../src/auth/scopes.js';
import { scopeError } from '../../src/graphql/scope-check.js';
import { operationSamples, schemaOfService } from '../helpers/operation-samples.js';

const schema = schemaOfService();
const samples = operationSamples(schema);

function errorFor(text: string, scopes: ApiScope[]) {
  const document = parse(text);
  return scopeError(schema, document, getOperationAST(document)!, scopes);
}

describe('the scope rules of the schema', () => {
  it('cover the three root types', () => {
    expect(new Set(samples.map((s) => s.kind))).toEqual(new Set(['query', 'mutation', 'subscription']));
  });

  it.each(samples.map((s) => [`${s.kind} ${s.field}`, s] as const))('%s declares the scope it needs', (_, sample) => {
    expect(sample.requires, `${sample.kind} ${sample.field} has no @scope(requires: …) in schema.graphql`).toBeOneOf([...API_SCOPES]);
  });

  it('keep tokens and the audit log to ADMIN, and every query and subscription but those open to READ', () => {
    for (const s of samples) {
      if (['apiTokens', 'auditLog', 'createApiToken', 'revokeApiToken'].includes(s.field)) expect(s.requires).toBe('ADMIN');
      else if (s.kind !== 'mutation') expect(s.requires).toBe('READ');
    }
  });
});

describe('grants', () => {
  it.each([
    [['READ'], 'READ', true],
    [['READ'], 'WRITE', false],
    [['READ'], 'WEBHOOKS', false],
    [['WRITE'], 'READ', true],
    [['WRITE'], 'WEBHOOKS', false],
    [['WEBHOOKS'], 'READ', true],
    [['WEBHOOKS'], 'WRITE', false],
    [['WRITE', 'WEBHOOKS'], 'WEBHOOKS', true],
    [['WRITE', 'WEBHOOKS'], 'ADMIN', false],
    [['ADMIN'], 'WEBHOOKS', true],
    [[], 'READ', false],
  ] as [ApiScope[], ApiScope, boolean][])('%j → %s: %s', (scopes, needed, granted) => {
    expect(grants(scopes, needed)).toBe(granted);
  });
});

describe('scopeError', () => {
  it('finds a field the token may not use inside a fragment, named by its coordinate and the scope it needs', () => {
    const error = errorFor(`query { ...Settings } fragment Settings on Query { webhookSettings { ...Secret } } fragment Secret on WebhookSettings { signingSecret }`, ['READ']);
    expect(error?.message).toBe('WebhookSettings.signingSecret needs the WEBHOOKS scope; this token has READ');
    expect(error?.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'WEBHOOKS', field: 'WebhookSettings.signingSecret' });
  });

  it('refuses a whole mutation when one of its fields is out of reach, whatever comes first', () => {
    const error = errorFor(`mutation { createContact(input: { name: "A", type: CLIENT }) { id } createApiToken(input: { name: "x", scopes: [READ] }) { secret } }`, ['WRITE']);
    expect(error?.extensions).toMatchObject({ code: 'FORBIDDEN', scope: 'ADMIN', field: 'Mutation.createApiToken' });
  });

  it('lets introspection through for every token', () => {
    expect(errorFor(`{ __schema { queryType { name } } __typename }`, ['READ'])).toBeUndefined();
  });
});
