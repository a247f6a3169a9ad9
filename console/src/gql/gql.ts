/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ConsoleAudit($after: String) {\n    auditLog(first: 50, after: $after) {\n      edges {\n        node {\n          id\n          at\n          actor\n          action\n          subject\n          changes\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ConsoleAuditDocument,
    "\n  query ConsoleDeliveries($filter: WebhookDeliveryFilter, $after: String) {\n    webhookDeliveries(filter: $filter, first: 50, after: $after) {\n      edges {\n        node {\n          id\n          channel\n          status\n          attemptCount\n          nextAttemptAt\n          createdAt\n          event {\n            id\n            cursor\n            type\n            occurredAt\n            payload\n          }\n          attempts {\n            ok\n            httpStatus\n            durationMs\n            startedAt\n            responseExcerpt\n            error\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ConsoleDeliveriesDocument,
    "\n  mutation Redeliver($id: ID!) {\n    redeliverWebhook(deliveryId: $id) {\n      id\n      status\n      nextAttemptAt\n    }\n  }\n": typeof types.RedeliverDocument,
    "\n  mutation Replay($input: ReplayInput!) {\n    replayWebhooks(input: $input) {\n      count\n      queued\n    }\n  }\n": typeof types.ReplayDocument,
    "\n  query ConsoleDocuments($filter: DocumentFilter, $after: String) {\n    documents(filter: $filter, first: 50, after: $after) {\n      edges {\n        node {\n          id\n          filename\n          status\n          docType\n          statusChangedAt\n          contact {\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ConsoleDocumentsDocument,
    "\n  mutation ApproveDocument($id: ID!) {\n    setDocumentStatus(id: $id, status: APPROVED) {\n      id\n      status\n    }\n  }\n": typeof types.ApproveDocumentDocument,
    "\n  mutation WebhookExport($id: ID!) {\n    exportDocument(id: $id) {\n      id\n      status\n    }\n  }\n": typeof types.WebhookExportDocument,
    "\n  query EndpointList {\n    webhookEndpoints(first: 200) {\n      edges {\n        node {\n          id\n          url\n          description\n          enabled\n          failingSince\n          disabledReason\n        }\n      }\n    }\n  }\n": typeof types.EndpointListDocument,
    "\n  query EndpointLastDelivery($endpointId: ID!) {\n    webhookDeliveries(filter: { endpointId: $endpointId }, first: 1) {\n      edges {\n        node {\n          id\n          status\n          createdAt\n        }\n      }\n    }\n  }\n": typeof types.EndpointLastDeliveryDocument,
    "\n  query EndpointDetail($id: ID!) {\n    webhookEndpoint(id: $id) {\n      id\n      url\n      subscription\n      variables\n      description\n      enabled\n      createdAt\n      disabledAt\n      disabledReason\n      failingSince\n      consecutiveFailures\n      bodySchema\n    }\n    webhookDeliveries(filter: { endpointId: $id }, first: 20) {\n      edges {\n        node {\n          id\n          status\n          attemptCount\n          createdAt\n          event {\n            id\n            type\n          }\n          attempts {\n            ok\n            httpStatus\n            durationMs\n            error\n          }\n        }\n      }\n    }\n  }\n": typeof types.EndpointDetailDocument,
    "\n  mutation CreateEndpoint($input: WebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      signingSecret\n      endpoint {\n        id\n      }\n    }\n  }\n": typeof types.CreateEndpointDocument,
    "\n  mutation UpdateEndpoint($id: ID!, $input: WebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) {\n      id\n    }\n  }\n": typeof types.UpdateEndpointDocument,
    "\n  mutation DeleteEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n": typeof types.DeleteEndpointDocument,
    "\n  mutation RotateEndpointSecret($id: ID!) {\n    rotateWebhookEndpointSecret(id: $id) {\n      signingSecret\n    }\n  }\n": typeof types.RotateEndpointSecretDocument,
    "\n  mutation TestEndpoint($id: ID!) {\n    testWebhookEndpoint(id: $id) {\n      ok\n      httpStatus\n      durationMs\n      responseExcerpt\n      error\n    }\n  }\n": typeof types.TestEndpointDocument,
    "\n  query PreviewEndpoint($subscription: String!, $variables: JSON) {\n    previewWebhookEndpoint(subscription: $subscription, variables: $variables)\n  }\n": typeof types.PreviewEndpointDocument,
    "\n  mutation CreateInspector {\n    createInspector {\n      id\n      url\n      expiresAt\n    }\n  }\n": typeof types.CreateInspectorDocument,
    "\n  query FindInspector($id: ID!) {\n    inspector(id: $id) {\n      id\n      url\n      expiresAt\n    }\n  }\n": typeof types.FindInspectorDocument,
    "\n  query ListInspectors {\n    inspectors {\n      id\n      url\n      createdAt\n      expiresAt\n      requests(first: 100) {\n        id\n      }\n    }\n  }\n": typeof types.ListInspectorsDocument,
    "\n  subscription InspectorRequests($id: ID!, $after: ID) {\n    inspectorRequestReceived(id: $id, after: $after) {\n      id\n      receivedAt\n      method\n      path\n      headers {\n        name\n        value\n      }\n      body\n      size\n      bodyTruncated\n    }\n  }\n": typeof types.InspectorRequestsDocument,
    "\n  mutation PointChannelAtInspector($input: WebhookSettingsInput!) {\n    configureWebhooks(input: $input) {\n      document {\n        url\n      }\n    }\n  }\n": typeof types.PointChannelAtInspectorDocument,
    "\n  subscription LiveEvents($after: String) {\n    events(after: $after) {\n      id\n      cursor\n      type\n      occurredAt\n      payload\n    }\n  }\n": typeof types.LiveEventsDocument,
    "\n  subscription LiveAttempts {\n    webhookDeliveryUpdated {\n      delivery {\n        id\n        channel\n        status\n        event {\n          id\n          type\n        }\n      }\n      attempt {\n        ok\n        httpStatus\n        durationMs\n        startedAt\n        error\n      }\n    }\n  }\n": typeof types.LiveAttemptsDocument,
    "\n  query WebhookOverview($windowMinutes: Int) {\n    webhookOverview(windowMinutes: $windowMinutes) {\n      from\n      to\n      targets {\n        channel\n        endpoint {\n          id\n          description\n        }\n        url\n        enabled\n        failingSince\n        consecutiveFailures\n        succeeded\n        failed\n        successRate\n        latencyP50Ms\n        latencyP99Ms\n        pending\n        oldestPendingAt\n      }\n      minutes {\n        at\n        succeeded\n        failed\n        latencyP50Ms\n        latencyP99Ms\n      }\n    }\n  }\n": typeof types.WebhookOverviewDocument,
    "\n  subscription OverviewAttempts {\n    webhookDeliveryUpdated {\n      attempt {\n        ok\n      }\n    }\n  }\n": typeof types.OverviewAttemptsDocument,
    "\n  query ConsoleSettings {\n    webhookSettings {\n      document { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      contact { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      folder { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      operations { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      bearerTokenSet\n      offlineMode\n      previousSecretExpiresAt\n    }\n  }\n": typeof types.ConsoleSettingsDocument,
    "\n  mutation SaveWebhookSettings($input: WebhookSettingsInput!) {\n    configureWebhooks(input: $input) {\n      document { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      contact { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      folder { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      operations { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      bearerTokenSet\n      offlineMode\n      previousSecretExpiresAt\n    }\n  }\n": typeof types.SaveWebhookSettingsDocument,
    "\n  query RevealSigningSecret {\n    webhookSettings {\n      signingSecret\n      previousSecretExpiresAt\n    }\n  }\n": typeof types.RevealSigningSecretDocument,
    "\n  mutation RotateSigningSecret {\n    rotateWebhookSigningSecret {\n      signingSecret\n      previousSecretExpiresAt\n    }\n  }\n": typeof types.RotateSigningSecretDocument,
    "\n  mutation TestChannel($channel: WebhookChannel!) {\n    testWebhook(channel: $channel) {\n      ok\n      httpStatus\n      durationMs\n      responseExcerpt\n      error\n      request {\n        url\n        headers {\n          name\n          value\n        }\n        body\n      }\n    }\n  }\n": typeof types.TestChannelDocument,
    "\n  query CheckToken {\n    webhookSettings {\n      offlineMode\n    }\n  }\n": typeof types.CheckTokenDocument,
    "\n  query ConsoleTokens($after: String) {\n    viewer {\n      id\n    }\n    apiTokens(first: 50, after: $after) {\n      edges {\n        node {\n          id\n          name\n          scopes\n          createdAt\n          expiresAt\n          lastUsedAt\n          revokedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ConsoleTokensDocument,
    "\n  mutation ConsoleCreateToken($input: ApiTokenInput!) {\n    createApiToken(input: $input) {\n      token {\n        id\n        name\n        scopes\n        createdAt\n        expiresAt\n        lastUsedAt\n        revokedAt\n      }\n      secret\n    }\n  }\n": typeof types.ConsoleCreateTokenDocument,
    "\n  mutation ConsoleRevokeToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.ConsoleRevokeTokenDocument,
    "\n  query ConsoleViewer {\n    viewer {\n      id\n      name\n      scopes\n    }\n  }\n": typeof types.ConsoleViewerDocument,
};
const documents: Documents = {
    "\n  query ConsoleAudit($after: String) {\n    auditLog(first: 50, after: $after) {\n      edges {\n        node {\n          id\n          at\n          actor\n          action\n          subject\n          changes\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ConsoleAuditDocument,
    "\n  query ConsoleDeliveries($filter: WebhookDeliveryFilter, $after: String) {\n    webhookDeliveries(filter: $filter, first: 50, after: $after) {\n      edges {\n        node {\n          id\n          channel\n          status\n          attemptCount\n          nextAttemptAt\n          createdAt\n          event {\n            id\n            cursor\n            type\n            occurredAt\n            payload\n          }\n          attempts {\n            ok\n            httpStatus\n            durationMs\n            startedAt\n            responseExcerpt\n            error\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ConsoleDeliveriesDocument,
    "\n  mutation Redeliver($id: ID!) {\n    redeliverWebhook(deliveryId: $id) {\n      id\n      status\n      nextAttemptAt\n    }\n  }\n": types.RedeliverDocument,
    "\n  mutation Replay($input: ReplayInput!) {\n    replayWebhooks(input: $input) {\n      count\n      queued\n    }\n  }\n": types.ReplayDocument,
    "\n  query ConsoleDocuments($filter: DocumentFilter, $after: String) {\n    documents(filter: $filter, first: 50, after: $after) {\n      edges {\n        node {\n          id\n          filename\n          status\n          docType\n          statusChangedAt\n          contact {\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ConsoleDocumentsDocument,
    "\n  mutation ApproveDocument($id: ID!) {\n    setDocumentStatus(id: $id, status: APPROVED) {\n      id\n      status\n    }\n  }\n": types.ApproveDocumentDocument,
    "\n  mutation WebhookExport($id: ID!) {\n    exportDocument(id: $id) {\n      id\n      status\n    }\n  }\n": types.WebhookExportDocument,
    "\n  query EndpointList {\n    webhookEndpoints(first: 200) {\n      edges {\n        node {\n          id\n          url\n          description\n          enabled\n          failingSince\n          disabledReason\n        }\n      }\n    }\n  }\n": types.EndpointListDocument,
    "\n  query EndpointLastDelivery($endpointId: ID!) {\n    webhookDeliveries(filter: { endpointId: $endpointId }, first: 1) {\n      edges {\n        node {\n          id\n          status\n          createdAt\n        }\n      }\n    }\n  }\n": types.EndpointLastDeliveryDocument,
    "\n  query EndpointDetail($id: ID!) {\n    webhookEndpoint(id: $id) {\n      id\n      url\n      subscription\n      variables\n      description\n      enabled\n      createdAt\n      disabledAt\n      disabledReason\n      failingSince\n      consecutiveFailures\n      bodySchema\n    }\n    webhookDeliveries(filter: { endpointId: $id }, first: 20) {\n      edges {\n        node {\n          id\n          status\n          attemptCount\n          createdAt\n          event {\n            id\n            type\n          }\n          attempts {\n            ok\n            httpStatus\n            durationMs\n            error\n          }\n        }\n      }\n    }\n  }\n": types.EndpointDetailDocument,
    "\n  mutation CreateEndpoint($input: WebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      signingSecret\n      endpoint {\n        id\n      }\n    }\n  }\n": types.CreateEndpointDocument,
    "\n  mutation UpdateEndpoint($id: ID!, $input: WebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) {\n      id\n    }\n  }\n": types.UpdateEndpointDocument,
    "\n  mutation DeleteEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n": types.DeleteEndpointDocument,
    "\n  mutation RotateEndpointSecret($id: ID!) {\n    rotateWebhookEndpointSecret(id: $id) {\n      signingSecret\n    }\n  }\n": types.RotateEndpointSecretDocument,
    "\n  mutation TestEndpoint($id: ID!) {\n    testWebhookEndpoint(id: $id) {\n      ok\n      httpStatus\n      durationMs\n      responseExcerpt\n      error\n    }\n  }\n": types.TestEndpointDocument,
    "\n  query PreviewEndpoint($subscription: String!, $variables: JSON) {\n    previewWebhookEndpoint(subscription: $subscription, variables: $variables)\n  }\n": types.PreviewEndpointDocument,
    "\n  mutation CreateInspector {\n    createInspector {\n      id\n      url\n      expiresAt\n    }\n  }\n": types.CreateInspectorDocument,
    "\n  query FindInspector($id: ID!) {\n    inspector(id: $id) {\n      id\n      url\n      expiresAt\n    }\n  }\n": types.FindInspectorDocument,
    "\n  query ListInspectors {\n    inspectors {\n      id\n      url\n      createdAt\n      expiresAt\n      requests(first: 100) {\n        id\n      }\n    }\n  }\n": types.ListInspectorsDocument,
    "\n  subscription InspectorRequests($id: ID!, $after: ID) {\n    inspectorRequestReceived(id: $id, after: $after) {\n      id\n      receivedAt\n      method\n      path\n      headers {\n        name\n        value\n      }\n      body\n      size\n      bodyTruncated\n    }\n  }\n": types.InspectorRequestsDocument,
    "\n  mutation PointChannelAtInspector($input: WebhookSettingsInput!) {\n    configureWebhooks(input: $input) {\n      document {\n        url\n      }\n    }\n  }\n": types.PointChannelAtInspectorDocument,
    "\n  subscription LiveEvents($after: String) {\n    events(after: $after) {\n      id\n      cursor\n      type\n      occurredAt\n      payload\n    }\n  }\n": types.LiveEventsDocument,
    "\n  subscription LiveAttempts {\n    webhookDeliveryUpdated {\n      delivery {\n        id\n        channel\n        status\n        event {\n          id\n          type\n        }\n      }\n      attempt {\n        ok\n        httpStatus\n        durationMs\n        startedAt\n        error\n      }\n    }\n  }\n": types.LiveAttemptsDocument,
    "\n  query WebhookOverview($windowMinutes: Int) {\n    webhookOverview(windowMinutes: $windowMinutes) {\n      from\n      to\n      targets {\n        channel\n        endpoint {\n          id\n          description\n        }\n        url\n        enabled\n        failingSince\n        consecutiveFailures\n        succeeded\n        failed\n        successRate\n        latencyP50Ms\n        latencyP99Ms\n        pending\n        oldestPendingAt\n      }\n      minutes {\n        at\n        succeeded\n        failed\n        latencyP50Ms\n        latencyP99Ms\n      }\n    }\n  }\n": types.WebhookOverviewDocument,
    "\n  subscription OverviewAttempts {\n    webhookDeliveryUpdated {\n      attempt {\n        ok\n      }\n    }\n  }\n": types.OverviewAttemptsDocument,
    "\n  query ConsoleSettings {\n    webhookSettings {\n      document { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      contact { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      folder { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      operations { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      bearerTokenSet\n      offlineMode\n      previousSecretExpiresAt\n    }\n  }\n": types.ConsoleSettingsDocument,
    "\n  mutation SaveWebhookSettings($input: WebhookSettingsInput!) {\n    configureWebhooks(input: $input) {\n      document { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      contact { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      folder { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      operations { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      bearerTokenSet\n      offlineMode\n      previousSecretExpiresAt\n    }\n  }\n": types.SaveWebhookSettingsDocument,
    "\n  query RevealSigningSecret {\n    webhookSettings {\n      signingSecret\n      previousSecretExpiresAt\n    }\n  }\n": types.RevealSigningSecretDocument,
    "\n  mutation RotateSigningSecret {\n    rotateWebhookSigningSecret {\n      signingSecret\n      previousSecretExpiresAt\n    }\n  }\n": types.RotateSigningSecretDocument,
    "\n  mutation TestChannel($channel: WebhookChannel!) {\n    testWebhook(channel: $channel) {\n      ok\n      httpStatus\n      durationMs\n      responseExcerpt\n      error\n      request {\n        url\n        headers {\n          name\n          value\n        }\n        body\n      }\n    }\n  }\n": types.TestChannelDocument,
    "\n  query CheckToken {\n    webhookSettings {\n      offlineMode\n    }\n  }\n": types.CheckTokenDocument,
    "\n  query ConsoleTokens($after: String) {\n    viewer {\n      id\n    }\n    apiTokens(first: 50, after: $after) {\n      edges {\n        node {\n          id\n          name\n          scopes\n          createdAt\n          expiresAt\n          lastUsedAt\n          revokedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ConsoleTokensDocument,
    "\n  mutation ConsoleCreateToken($input: ApiTokenInput!) {\n    createApiToken(input: $input) {\n      token {\n        id\n        name\n        scopes\n        createdAt\n        expiresAt\n        lastUsedAt\n        revokedAt\n      }\n      secret\n    }\n  }\n": types.ConsoleCreateTokenDocument,
    "\n  mutation ConsoleRevokeToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.ConsoleRevokeTokenDocument,
    "\n  query ConsoleViewer {\n    viewer {\n      id\n      name\n      scopes\n    }\n  }\n": types.ConsoleViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleAudit($after: String) {\n    auditLog(first: 50, after: $after) {\n      edges {\n        node {\n          id\n          at\n          actor\n          action\n          subject\n          changes\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleAuditDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDeliveries($filter: WebhookDeliveryFilter, $after: String) {\n    webhookDeliveries(filter: $filter, first: 50, after: $after) {\n      edges {\n        node {\n          id\n          channel\n          status\n          attemptCount\n          nextAttemptAt\n          createdAt\n          event {\n            id\n            cursor\n            type\n            occurredAt\n            payload\n          }\n          attempts {\n            ok\n            httpStatus\n            durationMs\n            startedAt\n            responseExcerpt\n            error\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleDeliveriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Redeliver($id: ID!) {\n    redeliverWebhook(deliveryId: $id) {\n      id\n      status\n      nextAttemptAt\n    }\n  }\n"): typeof import('./graphql').RedeliverDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Replay($input: ReplayInput!) {\n    replayWebhooks(input: $input) {\n      count\n      queued\n    }\n  }\n"): typeof import('./graphql').ReplayDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleDocuments($filter: DocumentFilter, $after: String) {\n    documents(filter: $filter, first: 50, after: $after) {\n      edges {\n        node {\n          id\n          filename\n          status\n          docType\n          statusChangedAt\n          contact {\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleDocumentsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApproveDocument($id: ID!) {\n    setDocumentStatus(id: $id, status: APPROVED) {\n      id\n      status\n    }\n  }\n"): typeof import('./graphql').ApproveDocumentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WebhookExport($id: ID!) {\n    exportDocument(id: $id) {\n      id\n      status\n    }\n  }\n"): typeof import('./graphql').WebhookExportDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EndpointList {\n    webhookEndpoints(first: 200) {\n      edges {\n        node {\n          id\n          url\n          description\n          enabled\n          failingSince\n          disabledReason\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').EndpointListDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EndpointLastDelivery($endpointId: ID!) {\n    webhookDeliveries(filter: { endpointId: $endpointId }, first: 1) {\n      edges {\n        node {\n          id\n          status\n          createdAt\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').EndpointLastDeliveryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EndpointDetail($id: ID!) {\n    webhookEndpoint(id: $id) {\n      id\n      url\n      subscription\n      variables\n      description\n      enabled\n      createdAt\n      disabledAt\n      disabledReason\n      failingSince\n      consecutiveFailures\n      bodySchema\n    }\n    webhookDeliveries(filter: { endpointId: $id }, first: 20) {\n      edges {\n        node {\n          id\n          status\n          attemptCount\n          createdAt\n          event {\n            id\n            type\n          }\n          attempts {\n            ok\n            httpStatus\n            durationMs\n            error\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').EndpointDetailDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateEndpoint($input: WebhookEndpointInput!) {\n    createWebhookEndpoint(input: $input) {\n      signingSecret\n      endpoint {\n        id\n      }\n    }\n  }\n"): typeof import('./graphql').CreateEndpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateEndpoint($id: ID!, $input: WebhookEndpointInput!) {\n    updateWebhookEndpoint(id: $id, input: $input) {\n      id\n    }\n  }\n"): typeof import('./graphql').UpdateEndpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteEndpoint($id: ID!) {\n    deleteWebhookEndpoint(id: $id)\n  }\n"): typeof import('./graphql').DeleteEndpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateEndpointSecret($id: ID!) {\n    rotateWebhookEndpointSecret(id: $id) {\n      signingSecret\n    }\n  }\n"): typeof import('./graphql').RotateEndpointSecretDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestEndpoint($id: ID!) {\n    testWebhookEndpoint(id: $id) {\n      ok\n      httpStatus\n      durationMs\n      responseExcerpt\n      error\n    }\n  }\n"): typeof import('./graphql').TestEndpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PreviewEndpoint($subscription: String!, $variables: JSON) {\n    previewWebhookEndpoint(subscription: $subscription, variables: $variables)\n  }\n"): typeof import('./graphql').PreviewEndpointDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateInspector {\n    createInspector {\n      id\n      url\n      expiresAt\n    }\n  }\n"): typeof import('./graphql').CreateInspectorDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FindInspector($id: ID!) {\n    inspector(id: $id) {\n      id\n      url\n      expiresAt\n    }\n  }\n"): typeof import('./graphql').FindInspectorDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListInspectors {\n    inspectors {\n      id\n      url\n      createdAt\n      expiresAt\n      requests(first: 100) {\n        id\n      }\n    }\n  }\n"): typeof import('./graphql').ListInspectorsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription InspectorRequests($id: ID!, $after: ID) {\n    inspectorRequestReceived(id: $id, after: $after) {\n      id\n      receivedAt\n      method\n      path\n      headers {\n        name\n        value\n      }\n      body\n      size\n      bodyTruncated\n    }\n  }\n"): typeof import('./graphql').InspectorRequestsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PointChannelAtInspector($input: WebhookSettingsInput!) {\n    configureWebhooks(input: $input) {\n      document {\n        url\n      }\n    }\n  }\n"): typeof import('./graphql').PointChannelAtInspectorDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveEvents($after: String) {\n    events(after: $after) {\n      id\n      cursor\n      type\n      occurredAt\n      payload\n    }\n  }\n"): typeof import('./graphql').LiveEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveAttempts {\n    webhookDeliveryUpdated {\n      delivery {\n        id\n        channel\n        status\n        event {\n          id\n          type\n        }\n      }\n      attempt {\n        ok\n        httpStatus\n        durationMs\n        startedAt\n        error\n      }\n    }\n  }\n"): typeof import('./graphql').LiveAttemptsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookOverview($windowMinutes: Int) {\n    webhookOverview(windowMinutes: $windowMinutes) {\n      from\n      to\n      targets {\n        channel\n        endpoint {\n          id\n          description\n        }\n        url\n        enabled\n        failingSince\n        consecutiveFailures\n        succeeded\n        failed\n        successRate\n        latencyP50Ms\n        latencyP99Ms\n        pending\n        oldestPendingAt\n      }\n      minutes {\n        at\n        succeeded\n        failed\n        latencyP50Ms\n        latencyP99Ms\n      }\n    }\n  }\n"): typeof import('./graphql').WebhookOverviewDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OverviewAttempts {\n    webhookDeliveryUpdated {\n      attempt {\n        ok\n      }\n    }\n  }\n"): typeof import('./graphql').OverviewAttemptsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleSettings {\n    webhookSettings {\n      document { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      contact { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      folder { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      operations { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      bearerTokenSet\n      offlineMode\n      previousSecretExpiresAt\n    }\n  }\n"): typeof import('./graphql').ConsoleSettingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SaveWebhookSettings($input: WebhookSettingsInput!) {\n    configureWebhooks(input: $input) {\n      document { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      contact { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      folder { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      operations { channel url enabled disabledAt disabledReason failingSince consecutiveFailures }\n      bearerTokenSet\n      offlineMode\n      previousSecretExpiresAt\n    }\n  }\n"): typeof import('./graphql').SaveWebhookSettingsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RevealSigningSecret {\n    webhookSettings {\n      signingSecret\n      previousSecretExpiresAt\n    }\n  }\n"): typeof import('./graphql').RevealSigningSecretDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateSigningSecret {\n    rotateWebhookSigningSecret {\n      signingSecret\n      previousSecretExpiresAt\n    }\n  }\n"): typeof import('./graphql').RotateSigningSecretDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestChannel($channel: WebhookChannel!) {\n    testWebhook(channel: $channel) {\n      ok\n      httpStatus\n      durationMs\n      responseExcerpt\n      error\n      request {\n        url\n        headers {\n          name\n          value\n        }\n        body\n      }\n    }\n  }\n"): typeof import('./graphql').TestChannelDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CheckToken {\n    webhookSettings {\n      offlineMode\n    }\n  }\n"): typeof import('./graphql').CheckTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleTokens($after: String) {\n    viewer {\n      id\n    }\n    apiTokens(first: 50, after: $after) {\n      edges {\n        node {\n          id\n          name\n          scopes\n          createdAt\n          expiresAt\n          lastUsedAt\n          revokedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').ConsoleTokensDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCreateToken($input: ApiTokenInput!) {\n    createApiToken(input: $input) {\n      token {\n        id\n        name\n        scopes\n        createdAt\n        expiresAt\n        lastUsedAt\n        revokedAt\n      }\n      secret\n    }\n  }\n"): typeof import('./graphql').ConsoleCreateTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRevokeToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): typeof import('./graphql').ConsoleRevokeTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleViewer {\n    viewer {\n      id\n      name\n      scopes\n    }\n  }\n"): typeof import('./graphql').ConsoleViewerDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
