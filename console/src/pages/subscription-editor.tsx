import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { GraphQLEditor } from '../editor/graphql-editor';
import { message } from '../ui';

/**
 * The subscription document's editor: CodeMirror with the schema, loaded when the form first
 * opens (its own chunk). Until it is there, and should it fail to load, a plain text area does.
 */
export function SubscriptionEditor({ id, label, value, onChange }: { id: string; label: string; value: string; onChange(text: string): void }) {
  const box = useRef<HTMLDivElement>(null);
  const editor = useRef<GraphQLEditor | null>(null);
  const latest = useRef({ value, onChange });
  latest.current = { value, onChange };
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    let gone = false;
    import('../editor/graphql-editor')
      .then(({ graphqlEditor }) => graphqlEditor(box.current!, { text: latest.current.value, label, onChange: (text) => latest.current.onChange(text) }))
      .then((made) => {
        if (gone) return made.destroy();
        editor.current = made;
        setReady(true);
      })
      .catch((err: unknown) => setFailed(message(err)));
    return () => {
      gone = true;
      editor.current?.destroy();
      editor.current = null;
    };
  }, []);
  // In the commit of the render that brings the text, while it is still the editor's own. A passive
  // effect may run only when the next render starts, after a newer edit: the older text it pushed
  // would come back as a change, whose render's effect pushes the newer one, and so on, endlessly.
  useLayoutEffect(() => editor.current?.setText(value), [value]);

  return (
    <div class="editor" id={id}>
      <div ref={box} class={ready ? 'editor-box' : 'editor-box hidden'} />
      {!ready && (
        <>
          <textarea aria-label={label} rows={8} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
          <p class="hint">{failed ? `The editor could not load (${failed}): plain text instead.` : 'Loading the editor with the schema…'}</p>
        </>
      )}
    </div>
  );
}
