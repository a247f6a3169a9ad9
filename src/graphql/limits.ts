/** Most tokens a GraphQL document may have, over HTTP and WebSocket alike: a huge or deeply nested one is refused before it is validated. */
export const MAX_QUERY_TOKENS = 10_000;
