import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { GraphQLEditor } from '../editor/graphql-editor';
import { message } from '../ui';

/**
 * The subscription document's editor: CodeMirror with the schema, loaded when the form first
 * opens (its own chunk). Until it is there, and should it fail to load, a plain text area does,
 * described by the line that says so; what was typed into it, and the focus, go on to the editor.
 */
export function SubscriptionEditor({ id, label, value, onChange }: { id: string; label: string; value: string; onChange(text: string): void }) {
  const box = useRef<HTMLDivElement>(null);
  const plain = useRef<HTMLTextAreaElement>(null);
  const editor = useRef<GraphQLEditor | null>(null);
  /** The plain box's selection when it had the focus as the editor arrived. */
  const handOver = useRef<{ anchor: number; head: number } | null>(null);
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
        // The text may have been typed on while the schema loaded.
        made.setText(latest.current.value);
        const typing = plain.current;
        if (typing && document.activeElement === typing) {
          const backwards = typing.selectionDirection === 'backward';
          handOver.current = { anchor: backwards ? typing.selectionEnd : typing.selectionStart, head: backwards ? typing.selectionStart : typing.selectionEnd };
        }
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
  // In the commit that removes the plain box, so the focus never falls back to the page.
  useLayoutEffect(() => {
    if (!ready || !handOver.current) return;
    editor.current?.focus(handOver.current);
    handOver.current = null;
  }, [ready]);

  return (
    <div class="editor" id={id}>
      <div ref={box} class={ready ? 'editor-box' : 'editor-box hidden'} />
      {!ready && (
        <>
          <textarea ref={plain} aria-label={label} aria-describedby={`${id}-stand-in`} rows={8} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
          <p id={`${id}-stand-in`} class="hint">
            {failed ? `The editor could not load (${failed}): plain text instead.` : 'Loading the editor with the schema…'}
          </p>
        </>
      )}
    </div>
  );
}
