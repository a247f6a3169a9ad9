import { autocompletion, closeBrackets, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, lintKeymap } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers } from '@codemirror/view';
import { graphql } from 'cm6-graphql';
import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { requestText } from '../api';

let schema: Promise<GraphQLSchema> | undefined;

/** The service's schema, read once by introspection with the session's token. */
function serviceSchema(): Promise<GraphQLSchema> {
  schema ??= requestText<IntrospectionQuery>(getIntrospectionQuery()).then(buildClientSchema);
  return schema;
}

export type GraphQLEditor = { destroy(): void; setText(text: string): void; focus(selection: { anchor: number; head: number }): void };

/**
 * A GraphQL editor (CodeMirror 6 with cm6-graphql) that knows the service's schema: completion
 * of fields and arguments, and errors underlined as you type. Tab moves the focus on, as in the
 * rest of the console; Ctrl-Space asks for completions.
 */
export async function graphqlEditor(parent: HTMLElement, options: { text: string; label: string; onChange(text: string): void }): Promise<GraphQLEditor> {
  // In a shadow root CodeMirror adopts its style sheets (constructed, not <style> elements), which
  // the console's Content-Security-Policy (style-src 'self') allows; in the document it would not.
  const root = parent.shadowRoot ?? parent.attachShadow({ mode: 'open' });
  const view = new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc: options.text,
      extensions: [
        lineNumbers(),
        history(),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        lintGutter(),
        syntaxHighlighting(defaultHighlightStyle),
        keymap.of([...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
        graphql(await serviceSchema()),
        EditorView.contentAttributes.of({ 'aria-label': options.label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    destroy: () => view.destroy(),
    setText: (text) => {
      if (text !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: (selection) => {
      view.dispatch({ selection });
      view.focus();
    },
  };
}
