import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { grants, type ApiScope } from '../../src/auth/scopes';
import { graphql } from './gql';

export const ReadViewer = graphql(`
  query ConsoleViewer {
    viewer {
      id
      name
      scopes
    }
  }
`);

/** The signed-in token's scopes: pages and buttons it may not use are not offered. */
export type Scopes = readonly ApiScope[];

export const ViewerScopes = createContext<Scopes>([]);

/** Whether the signed-in token may use what needs `scope` (the service's own rule). */
export function useCan(): (scope: ApiScope) => boolean {
  const scopes = useContext(ViewerScopes);
  return (scope) => grants(scopes, scope);
}
