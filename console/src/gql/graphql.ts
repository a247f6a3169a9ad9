/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What a token may do. ADMIN includes every other; WRITE and WEBHOOKS each include READ. */
export type ApiScope =
  /** Everything, tokens and the audit log included. */
  | 'ADMIN'
  /** Every query and subscription but tokens and the audit log. */
  | 'READ'
  /** READ, and webhook settings, endpoints, signing secrets, replay, redelivery, tests and inspectors. */
  | 'WEBHOOKS'
  /** READ, and changes of documents, contacts, folders, extraction profiles and rules. */
  | 'WRITE';

export type ApiTokenInput = {
  /** In the future; null: never expires. */
  expiresAt?: string | null | undefined;
  /** 1–100 characters; the audit log names the token by it. */
  name: string;
  /** One or more. */
  scopes: Array<ApiScope>;
};

/** PENDING: waiting for its next attempt. FAILED: the retry schedule is spent, or the channel was disabled. */
export type DeliveryStatus =
  | 'FAILED'
  | 'PENDING'
  | 'SUCCEEDED';

export type DocumentFilter = {
  contactId?: string | null | undefined;
  docType?: string | null | undefined;
  folderId?: string | null | undefined;
  status?: DocumentStatus | null | undefined;
  updatedSince?: string | null | undefined;
};

export type DocumentStatus =
  | 'APPROVED'
  | 'ARCHIVED'
  | 'EXCEPTION'
  | 'EXPORT'
  | 'MISSING_INFO'
  | 'NEEDS_REVIEW'
  | 'NEW'
  | 'PROCESSING'
  | 'READY';

export type EventType =
  /** channel.disabled: a channel was switched off (410 Gone, failing for WEBHOOK_DISABLE_AFTER, or by hand) */
  | 'CHANNEL_DISABLED'
  /** channel.failing: a channel's circuit breaker opened (WEBHOOK_CIRCUIT_FAILURES failures in a row) */
  | 'CHANNEL_FAILING'
  /** channel.recovered: a channel whose circuit breaker was open delivered again */
  | 'CHANNEL_RECOVERED'
  /** contact.created */
  | 'CONTACT_CREATED'
  /** contact.updated */
  | 'CONTACT_UPDATED'
  /** delivery.failed: a delivery's retry schedule is spent */
  | 'DELIVERY_FAILED'
  /** document.exported */
  | 'DOCUMENT_EXPORTED'
  /** folder.created */
  | 'FOLDER_CREATED'
  /** folder.updated */
  | 'FOLDER_UPDATED';

export type ReplayInput = {
  /** Replay the events after this event cursor. */
  afterCursor?: string | null | undefined;
  /** A channel, or endpointId: one of the two. */
  channel?: WebhookChannel | null | undefined;
  /** Count only; queue nothing. */
  dryRun?: boolean | null | undefined;
  /** An endpoint: its deliveries of the events are queued again (the events its document did not choose have none). */
  endpointId?: string | null | undefined;
  /** Replay the events that occurred at or after this instant. */
  since?: string | null | undefined;
};

export type WebhookChannel =
  | 'CONTACT'
  | 'DOCUMENT'
  | 'FOLDER'
  /** Operational events: what happens to the other channels (failing, recovered, switched off, a delivery given up). */
  | 'OPERATIONS';

export type WebhookChannelInput = {
  enabled?: boolean | null | undefined;
  url?: string | null | undefined;
};

export type WebhookDeliveryFilter = {
  /** A channel's deliveries (an endpoint's are found by endpointId). */
  channel?: WebhookChannel | null | undefined;
  /** Deliveries queued before this instant. */
  createdBefore?: string | null | undefined;
  /** Deliveries queued at or after this instant. */
  createdSince?: string | null | undefined;
  endpointId?: string | null | undefined;
  entityId?: string | null | undefined;
  eventType?: EventType | null | undefined;
  status?: DeliveryStatus | null | undefined;
};

export type WebhookEndpointInput = {
  /** A cursor of the event log: the endpoint gets the events after it (backfill). Default: from now on. */
  after?: string | null | undefined;
  description?: string | null | undefined;
  /** Default true. */
  enabled?: boolean | null | undefined;
  /** Required at creation: a subscription document, checked against the schema when saved. */
  subscription?: string | null | undefined;
  /** Required at creation. The URL rules are the channels' (https or http, no credentials, no private address unless allowed). */
  url?: string | null | undefined;
  variables?: unknown;
};

export type WebhookSettingsInput = {
  /** Write-only; null clears it. */
  bearerToken?: string | null | undefined;
  contact?: WebhookChannelInput | null | undefined;
  document?: WebhookChannelInput | null | undefined;
  folder?: WebhookChannelInput | null | undefined;
  offlineMode?: boolean | null | undefined;
  /** The operations URL, for operational events. */
  operations?: WebhookChannelInput | null | undefined;
};

export type ConsoleAuditQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ConsoleAuditQuery = { auditLog: { edges: Array<{ node: { id: string, at: string, actor: string, action: string, subject: string | null, changes: unknown } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ConsoleDeliveriesQueryVariables = Exact<{
  filter?: WebhookDeliveryFilter | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleDeliveriesQuery = { webhookDeliveries: { edges: Array<{ node: { id: string, channel: WebhookChannel, status: DeliveryStatus, attemptCount: number, nextAttemptAt: string | null, createdAt: string, event: { id: string, cursor: string, type: EventType, occurredAt: string, payload: unknown }, attempts: Array<{ ok: boolean, httpStatus: number | null, durationMs: number, startedAt: string, responseExcerpt: string | null, error: string | null }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type RedeliverMutationVariables = Exact<{
  id: string;
}>;


export type RedeliverMutation = { redeliverWebhook: { id: string, status: DeliveryStatus, nextAttemptAt: string | null } };

export type ReplayMutationVariables = Exact<{
  input: ReplayInput;
}>;


export type ReplayMutation = { replayWebhooks: { count: number, queued: boolean } };

export type ConsoleDocumentsQueryVariables = Exact<{
  filter?: DocumentFilter | null | undefined;
  after?: string | null | undefined;
}>;


export type ConsoleDocumentsQuery = { documents: { edges: Array<{ node: { id: string, filename: string, status: DocumentStatus, docType: string | null, statusChangedAt: string, contact: { name: string } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ApproveDocumentMutationVariables = Exact<{
  id: string;
}>;


export type ApproveDocumentMutation = { setDocumentStatus: { id: string, status: DocumentStatus } };

export type WebhookExportMutationVariables = Exact<{
  id: string;
}>;


export type WebhookExportMutation = { exportDocument: { id: string, status: DocumentStatus } };

export type EndpointListQueryVariables = Exact<{ [key: string]: never; }>;


export type EndpointListQuery = { webhookEndpoints: { edges: Array<{ node: { id: string, url: string, description: string | null, enabled: boolean, failingSince: string | null, disabledReason: string | null } }> } };

export type EndpointLastDeliveryQueryVariables = Exact<{
  endpointId: string;
}>;


export type EndpointLastDeliveryQuery = { webhookDeliveries: { edges: Array<{ node: { id: string, status: DeliveryStatus, createdAt: string } }> } };

export type EndpointDetailQueryVariables = Exact<{
  id: string;
}>;


export type EndpointDetailQuery = { webhookEndpoint: { id: string, url: string, subscription: string, variables: unknown, description: string | null, enabled: boolean, createdAt: string, disabledAt: string | null, disabledReason: string | null, failingSince: string | null, consecutiveFailures: number, bodySchema: unknown } | null, webhookDeliveries: { edges: Array<{ node: { id: string, status: DeliveryStatus, attemptCount: number, createdAt: string, event: { id: string, type: EventType }, attempts: Array<{ ok: boolean, httpStatus: number | null, durationMs: number, error: string | null }> } }> } };

export type CreateEndpointMutationVariables = Exact<{
  input: WebhookEndpointInput;
}>;


export type CreateEndpointMutation = { createWebhookEndpoint: { signingSecret: string, endpoint: { id: string } } };

export type UpdateEndpointMutationVariables = Exact<{
  id: string;
  input: WebhookEndpointInput;
}>;


export type UpdateEndpointMutation = { updateWebhookEndpoint: { id: string } };

export type DeleteEndpointMutationVariables = Exact<{
  id: string;
}>;


export type DeleteEndpointMutation = { deleteWebhookEndpoint: boolean };

export type RotateEndpointSecretMutationVariables = Exact<{
  id: string;
}>;


export type RotateEndpointSecretMutation = { rotateWebhookEndpointSecret: { signingSecret: string } };

export type TestEndpointMutationVariables = Exact<{
  id: string;
}>;


export type TestEndpointMutation = { testWebhookEndpoint: { ok: boolean, httpStatus: number | null, durationMs: number, responseExcerpt: string | null, error: string | null } };

export type PreviewEndpointQueryVariables = Exact<{
  subscription: string;
  variables?: unknown;
}>;


export type PreviewEndpointQuery = { previewWebhookEndpoint: unknown };

export type CreateInspectorMutationVariables = Exact<{ [key: string]: never; }>;


export type CreateInspectorMutation = { createInspector: { id: string, url: string, expiresAt: string } };

export type FindInspectorQueryVariables = Exact<{
  id: string;
}>;


export type FindInspectorQuery = { inspector: { id: string, url: string, expiresAt: string } | null };

export type ListInspectorsQueryVariables = Exact<{ [key: string]: never; }>;


export type ListInspectorsQuery = { inspectors: Array<{ id: string, url: string, createdAt: string, expiresAt: string, requests: Array<{ id: string }> }> };

export type InspectorRequestsSubscriptionVariables = Exact<{
  id: string;
  after?: string | null | undefined;
}>;


export type InspectorRequestsSubscription = { inspectorRequestReceived: { id: string, receivedAt: string, method: string, path: string, body: string, size: number, bodyTruncated: boolean, headers: Array<{ name: string, value: string }> } };

export type PointChannelAtInspectorMutationVariables = Exact<{
  input: WebhookSettingsInput;
}>;


export type PointChannelAtInspectorMutation = { configureWebhooks: { document: { url: string | null } } };

export type LiveEventsSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type LiveEventsSubscription = { events: { id: string, cursor: string, type: EventType, occurredAt: string, payload: unknown } };

export type LiveAttemptsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type LiveAttemptsSubscription = { webhookDeliveryUpdated: { delivery: { id: string, channel: WebhookChannel, status: DeliveryStatus, event: { id: string, type: EventType } }, attempt: { ok: boolean, httpStatus: number | null, durationMs: number, startedAt: string, error: string | null } } };

export type WebhookOverviewQueryVariables = Exact<{
  windowMinutes?: number | null | undefined;
}>;


export type WebhookOverviewQuery = { webhookOverview: { from: string, to: string, targets: Array<{ channel: WebhookChannel | null, url: string | null, enabled: boolean, failingSince: string | null, consecutiveFailures: number, succeeded: number, failed: number, successRate: number | null, latencyP50Ms: number | null, latencyP99Ms: number | null, pending: number, oldestPendingAt: string | null, endpoint: { id: string, description: string | null } | null }>, minutes: Array<{ at: string, succeeded: number, failed: number, latencyP50Ms: number | null, latencyP99Ms: number | null }> } };

export type OverviewAttemptsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type OverviewAttemptsSubscription = { webhookDeliveryUpdated: { attempt: { ok: boolean } } };

export type ConsoleSettingsQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleSettingsQuery = { webhookSettings: { bearerTokenSet: boolean, offlineMode: boolean, previousSecretExpiresAt: string | null, document: { channel: WebhookChannel, url: string | null, enabled: boolean, disabledAt: string | null, disabledReason: string | null, failingSince: string | null, consecutiveFailures: number }, contact: { channel: WebhookChannel, url: string | null, enabled: boolean, disabledAt: string | null, disabledReason: string | null, failingSince: string | null, consecutiveFailures: number }, folder: { channel: WebhookChannel, url: string | null, enabled: boolean, disabledAt: string | null, disabledReason: string | null, failingSince: string | null, consecutiveFailures: number }, operations: { channel: WebhookChannel, url: string | null, enabled: boolean, disabledAt: string | null, disabledReason: string | null, failingSince: string | null, consecutiveFailures: number } } };

export type SaveWebhookSettingsMutationVariables = Exact<{
  input: WebhookSettingsInput;
}>;


export type SaveWebhookSettingsMutation = { configureWebhooks: { bearerTokenSet: boolean, offlineMode: boolean, previousSecretExpiresAt: string | null, document: { channel: WebhookChannel, url: string | null, enabled: boolean, disabledAt: string | null, disabledReason: string | null, failingSince: string | null, consecutiveFailures: number }, contact: { channel: WebhookChannel, url: string | null, enabled: boolean, disabledAt: string | null, disabledReason: string | null, failingSince: string | null, consecutiveFailures: number }, folder: { channel: WebhookChannel, url: string | null, enabled: boolean, disabledAt: string | null, disabledReason: string | null, failingSince: string | null, consecutiveFailures: number }, operations: { channel: WebhookChannel, url: string | null, enabled: boolean, disabledAt: string | null, disabledReason: string | null, failingSince: string | null, consecutiveFailures: number } } };

export type RevealSigningSecretQueryVariables = Exact<{ [key: string]: never; }>;


export type RevealSigningSecretQuery = { webhookSettings: { signingSecret: string, previousSecretExpiresAt: string | null } };

export type RotateSigningSecretMutationVariables = Exact<{ [key: string]: never; }>;


export type RotateSigningSecretMutation = { rotateWebhookSigningSecret: { signingSecret: string, previousSecretExpiresAt: string | null } };

export type TestChannelMutationVariables = Exact<{
  channel: WebhookChannel;
}>;


export type TestChannelMutation = { testWebhook: { ok: boolean, httpStatus: number | null, durationMs: number, responseExcerpt: string | null, error: string | null, request: { url: string, body: string, headers: Array<{ name: string, value: string }> } | null } };

export type CheckTokenQueryVariables = Exact<{ [key: string]: never; }>;


export type CheckTokenQuery = { webhookSettings: { offlineMode: boolean } };

export type ConsoleTokensQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type ConsoleTokensQuery = { viewer: { id: string } | null, apiTokens: { edges: Array<{ node: { id: string, name: string, scopes: Array<ApiScope>, createdAt: string, expiresAt: string | null, lastUsedAt: string | null, revokedAt: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ConsoleCreateTokenMutationVariables = Exact<{
  input: ApiTokenInput;
}>;


export type ConsoleCreateTokenMutation = { createApiToken: { secret: string, token: { id: string, name: string, scopes: Array<ApiScope>, createdAt: string, expiresAt: string | null, lastUsedAt: string | null, revokedAt: string | null } } };

export type ConsoleRevokeTokenMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleRevokeTokenMutation = { revokeApiToken: { id: string, revokedAt: string | null } };

export type ConsoleViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleViewerQuery = { viewer: { id: string, name: string, scopes: Array<ApiScope> } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ConsoleAuditDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<ConsoleAuditQuery, ConsoleAuditQueryVariables>;
export const ConsoleDeliveriesDocument = new TypedDocumentString(`
    query ConsoleDeliveries($filter: WebhookDeliveryFilter, $after: String) {
  webhookDeliveries(filter: $filter, first: 50, after: $after) {
    edges {
      node {
        id
        channel
        status
        attemptCount
        nextAttemptAt
        createdAt
        event {
          id
          cursor
          type
          occurredAt
          payload
        }
        attempts {
          ok
          httpStatus
          durationMs
          startedAt
          responseExcerpt
          error
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleDeliveriesQuery, ConsoleDeliveriesQueryVariables>;
export const RedeliverDocument = new TypedDocumentString(`
    mutation Redeliver($id: ID!) {
  redeliverWebhook(deliveryId: $id) {
    id
    status
    nextAttemptAt
  }
}
    `) as unknown as TypedDocumentString<RedeliverMutation, RedeliverMutationVariables>;
export const ReplayDocument = new TypedDocumentString(`
    mutation Replay($input: ReplayInput!) {
  replayWebhooks(input: $input) {
    count
    queued
  }
}
    `) as unknown as TypedDocumentString<ReplayMutation, ReplayMutationVariables>;
export const ConsoleDocumentsDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<ConsoleDocumentsQuery, ConsoleDocumentsQueryVariables>;
export const ApproveDocumentDocument = new TypedDocumentString(`
    mutation ApproveDocument($id: ID!) {
  setDocumentStatus(id: $id, status: APPROVED) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<ApproveDocumentMutation, ApproveDocumentMutationVariables>;
export const WebhookExportDocument = new TypedDocumentString(`
    mutation WebhookExport($id: ID!) {
  exportDocument(id: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<WebhookExportMutation, WebhookExportMutationVariables>;
export const EndpointListDocument = new TypedDocumentString(`
    query EndpointList {
  webhookEndpoints(first: 200) {
    edges {
      node {
        id
        url
        description
        enabled
        failingSince
        disabledReason
      }
    }
  }
}
    `) as unknown as TypedDocumentString<EndpointListQuery, EndpointListQueryVariables>;
export const EndpointLastDeliveryDocument = new TypedDocumentString(`
    query EndpointLastDelivery($endpointId: ID!) {
  webhookDeliveries(filter: {endpointId: $endpointId}, first: 1) {
    edges {
      node {
        id
        status
        createdAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<EndpointLastDeliveryQuery, EndpointLastDeliveryQueryVariables>;
export const EndpointDetailDocument = new TypedDocumentString(`
    query EndpointDetail($id: ID!) {
  webhookEndpoint(id: $id) {
    id
    url
    subscription
    variables
    description
    enabled
    createdAt
    disabledAt
    disabledReason
    failingSince
    consecutiveFailures
    bodySchema
  }
  webhookDeliveries(filter: {endpointId: $id}, first: 20) {
    edges {
      node {
        id
        status
        attemptCount
        createdAt
        event {
          id
          type
        }
        attempts {
          ok
          httpStatus
          durationMs
          error
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<EndpointDetailQuery, EndpointDetailQueryVariables>;
export const CreateEndpointDocument = new TypedDocumentString(`
    mutation CreateEndpoint($input: WebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    signingSecret
    endpoint {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<CreateEndpointMutation, CreateEndpointMutationVariables>;
export const UpdateEndpointDocument = new TypedDocumentString(`
    mutation UpdateEndpoint($id: ID!, $input: WebhookEndpointInput!) {
  updateWebhookEndpoint(id: $id, input: $input) {
    id
  }
}
    `) as unknown as TypedDocumentString<UpdateEndpointMutation, UpdateEndpointMutationVariables>;
export const DeleteEndpointDocument = new TypedDocumentString(`
    mutation DeleteEndpoint($id: ID!) {
  deleteWebhookEndpoint(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteEndpointMutation, DeleteEndpointMutationVariables>;
export const RotateEndpointSecretDocument = new TypedDocumentString(`
    mutation RotateEndpointSecret($id: ID!) {
  rotateWebhookEndpointSecret(id: $id) {
    signingSecret
  }
}
    `) as unknown as TypedDocumentString<RotateEndpointSecretMutation, RotateEndpointSecretMutationVariables>;
export const TestEndpointDocument = new TypedDocumentString(`
    mutation TestEndpoint($id: ID!) {
  testWebhookEndpoint(id: $id) {
    ok
    httpStatus
    durationMs
    responseExcerpt
    error
  }
}
    `) as unknown as TypedDocumentString<TestEndpointMutation, TestEndpointMutationVariables>;
export const PreviewEndpointDocument = new TypedDocumentString(`
    query PreviewEndpoint($subscription: String!, $variables: JSON) {
  previewWebhookEndpoint(subscription: $subscription, variables: $variables)
}
    `) as unknown as TypedDocumentString<PreviewEndpointQuery, PreviewEndpointQueryVariables>;
export const CreateInspectorDocument = new TypedDocumentString(`
    mutation CreateInspector {
  createInspector {
    id
    url
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<CreateInspectorMutation, CreateInspectorMutationVariables>;
export const FindInspectorDocument = new TypedDocumentString(`
    query FindInspector($id: ID!) {
  inspector(id: $id) {
    id
    url
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<FindInspectorQuery, FindInspectorQueryVariables>;
export const ListInspectorsDocument = new TypedDocumentString(`
    query ListInspectors {
  inspectors {
    id
    url
    createdAt
    expiresAt
    requests(first: 100) {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<ListInspectorsQuery, ListInspectorsQueryVariables>;
export const InspectorRequestsDocument = new TypedDocumentString(`
    subscription InspectorRequests($id: ID!, $after: ID) {
  inspectorRequestReceived(id: $id, after: $after) {
    id
    receivedAt
    method
    path
    headers {
      name
      value
    }
    body
    size
    bodyTruncated
  }
}
    `) as unknown as TypedDocumentString<InspectorRequestsSubscription, InspectorRequestsSubscriptionVariables>;
export const PointChannelAtInspectorDocument = new TypedDocumentString(`
    mutation PointChannelAtInspector($input: WebhookSettingsInput!) {
  configureWebhooks(input: $input) {
    document {
      url
    }
  }
}
    `) as unknown as TypedDocumentString<PointChannelAtInspectorMutation, PointChannelAtInspectorMutationVariables>;
export const LiveEventsDocument = new TypedDocumentString(`
    subscription LiveEvents($after: String) {
  events(after: $after) {
    id
    cursor
    type
    occurredAt
    payload
  }
}
    `) as unknown as TypedDocumentString<LiveEventsSubscription, LiveEventsSubscriptionVariables>;
export const LiveAttemptsDocument = new TypedDocumentString(`
    subscription LiveAttempts {
  webhookDeliveryUpdated {
    delivery {
      id
      channel
      status
      event {
        id
        type
      }
    }
    attempt {
      ok
      httpStatus
      durationMs
      startedAt
      error
    }
  }
}
    `) as unknown as TypedDocumentString<LiveAttemptsSubscription, LiveAttemptsSubscriptionVariables>;
export const WebhookOverviewDocument = new TypedDocumentString(`
    query WebhookOverview($windowMinutes: Int) {
  webhookOverview(windowMinutes: $windowMinutes) {
    from
    to
    targets {
      channel
      endpoint {
        id
        description
      }
      url
      enabled
      failingSince
      consecutiveFailures
      succeeded
      failed
      successRate
      latencyP50Ms
      latencyP99Ms
      pending
      oldestPendingAt
    }
    minutes {
      at
      succeeded
      failed
      latencyP50Ms
      latencyP99Ms
    }
  }
}
    `) as unknown as TypedDocumentString<WebhookOverviewQuery, WebhookOverviewQueryVariables>;
export const OverviewAttemptsDocument = new TypedDocumentString(`
    subscription OverviewAttempts {
  webhookDeliveryUpdated {
    attempt {
      ok
    }
  }
}
    `) as unknown as TypedDocumentString<OverviewAttemptsSubscription, OverviewAttemptsSubscriptionVariables>;
export const ConsoleSettingsDocument = new TypedDocumentString(`
    query ConsoleSettings {
  webhookSettings {
    document {
      channel
      url
      enabled
      disabledAt
      disabledReason
      failingSince
      consecutiveFailures
    }
    contact {
      channel
      url
      enabled
      disabledAt
      disabledReason
      failingSince
      consecutiveFailures
    }
    folder {
      channel
      url
      enabled
      disabledAt
      disabledReason
      failingSince
      consecutiveFailures
    }
    operations {
      channel
      url
      enabled
      disabledAt
      disabledReason
      failingSince
      consecutiveFailures
    }
    bearerTokenSet
    offlineMode
    previousSecretExpiresAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleSettingsQuery, ConsoleSettingsQueryVariables>;
export const SaveWebhookSettingsDocument = new TypedDocumentString(`
    mutation SaveWebhookSettings($input: WebhookSettingsInput!) {
  configureWebhooks(input: $input) {
    document {
      channel
      url
      enabled
      disabledAt
      disabledReason
      failingSince
      consecutiveFailures
    }
    contact {
      channel
      url
      enabled
      disabledAt
      disabledReason
      failingSince
      consecutiveFailures
    }
    folder {
      channel
      url
      enabled
      disabledAt
      disabledReason
      failingSince
      consecutiveFailures
    }
    operations {
      channel
      url
      enabled
      disabledAt
      disabledReason
      failingSince
      consecutiveFailures
    }
    bearerTokenSet
    offlineMode
    previousSecretExpiresAt
  }
}
    `) as unknown as TypedDocumentString<SaveWebhookSettingsMutation, SaveWebhookSettingsMutationVariables>;
export const RevealSigningSecretDocument = new TypedDocumentString(`
    query RevealSigningSecret {
  webhookSettings {
    signingSecret
    previousSecretExpiresAt
  }
}
    `) as unknown as TypedDocumentString<RevealSigningSecretQuery, RevealSigningSecretQueryVariables>;
export const RotateSigningSecretDocument = new TypedDocumentString(`
    mutation RotateSigningSecret {
  rotateWebhookSigningSecret {
    signingSecret
    previousSecretExpiresAt
  }
}
    `) as unknown as TypedDocumentString<RotateSigningSecretMutation, RotateSigningSecretMutationVariables>;
export const TestChannelDocument = new TypedDocumentString(`
    mutation TestChannel($channel: WebhookChannel!) {
  testWebhook(channel: $channel) {
    ok
    httpStatus
    durationMs
    responseExcerpt
    error
    request {
      url
      headers {
        name
        value
      }
      body
    }
  }
}
    `) as unknown as TypedDocumentString<TestChannelMutation, TestChannelMutationVariables>;
export const CheckTokenDocument = new TypedDocumentString(`
    query CheckToken {
  webhookSettings {
    offlineMode
  }
}
    `) as unknown as TypedDocumentString<CheckTokenQuery, CheckTokenQueryVariables>;
export const ConsoleTokensDocument = new TypedDocumentString(`
    query ConsoleTokens($after: String) {
  viewer {
    id
  }
  apiTokens(first: 50, after: $after) {
    edges {
      node {
        id
        name
        scopes
        createdAt
        expiresAt
        lastUsedAt
        revokedAt
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleTokensQuery, ConsoleTokensQueryVariables>;
export const ConsoleCreateTokenDocument = new TypedDocumentString(`
    mutation ConsoleCreateToken($input: ApiTokenInput!) {
  createApiToken(input: $input) {
    token {
      id
      name
      scopes
      createdAt
      expiresAt
      lastUsedAt
      revokedAt
    }
    secret
  }
}
    `) as unknown as TypedDocumentString<ConsoleCreateTokenMutation, ConsoleCreateTokenMutationVariables>;
export const ConsoleRevokeTokenDocument = new TypedDocumentString(`
    mutation ConsoleRevokeToken($id: ID!) {
  revokeApiToken(id: $id) {
    id
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleRevokeTokenMutation, ConsoleRevokeTokenMutationVariables>;
export const ConsoleViewerDocument = new TypedDocumentString(`
    query ConsoleViewer {
  viewer {
    id
    name
    scopes
  }
}
    `) as unknown as TypedDocumentString<ConsoleViewerQuery, ConsoleViewerQueryVariables>;