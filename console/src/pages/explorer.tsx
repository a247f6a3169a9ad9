/**
 * GraphiQL, framed: it is a page of its own (explorer.html, with React and its editor), loaded
 * only when this page opens. The frame shares the tab's session, so it signs in with the
 * console's token.
 */
export function ExplorerPage() {
  return (
    <section class="explorer-page">
      <h1 class="sr-only">Explorer</h1>
      <iframe class="explorer-frame" src="/console/explorer.html" title="GraphQL explorer" />
    </section>
  );
}
