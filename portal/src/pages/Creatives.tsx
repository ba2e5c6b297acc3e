import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { type ApiData, getJson, send } from '../api/client.ts';
import { Field, Select, TextArea } from '../components/Field.tsx';
import { Empty, ErrorState, Loading, Notice } from '../components/States.tsx';
import { latest, useAction } from '../lib/hooks.ts';

type Creative = ApiData<'/api/v1/offers/{id}/creatives'>[number];

/** The embed code a partner pastes: the banner (or HTML) wrapped in its tracking link where it has one. */
function embedCode(creative: Creative, trackingLink?: string): string {
  const src = `${window.location.origin}${creative.url}`;
  if (creative.kind === 'html') return `<iframe src="${src}" width="${creative.width ?? 300}" height="${creative.height ?? 250}" title="${creative.name}" style="border:0"></iframe>`;
  const image = `<img src="${src}" alt="${creative.name}"${creative.width ? ` width="${creative.width}"` : ''}${creative.height ? ` height="${creative.height}"` : ''} />`;
  return trackingLink ? `<a href="${trackingLink}">${image}</a>` : image;
}

/** An offer's creatives: its side uploads and removes them; partners copy their embed code. */
export function Creatives({ offerId, manage, trackingLink }: { offerId: number; manage: boolean; trackingLink?: string }) {
  const path = `/api/v1/offers/${offerId}/creatives`;
  const query = useQuery({ queryKey: [path], queryFn: () => getJson<Creative[]>(path) });
  const [form, setForm] = useState({ name: '', kind: 'image', html: '' });
  const [file, setFile] = useState<File | null>(null);
  const add = useAction(
    async () => {
      if (form.kind === 'html') return send('POST', path, { name: form.name, kind: 'html', content: form.html });
      const bytes = new Uint8Array(await file!.arrayBuffer());
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return send('POST', path, { name: form.name, kind: 'image', contentType: file!.type, content: btoa(binary) });
    },
    [[path]],
    () => 'The creative is added.',
  );
  const remove = useAction((id: number) => send('DELETE', `${path}/${id}`), [[path]], () => 'The creative is removed.');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(undefined);
  };
  const message = latest(add.message, remove.message);
  return (
    <section aria-label="Creatives" className="list-section">
      <h2>Creatives</h2>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {query.isPending ? (
        <Loading what="creatives" />
      ) : query.isError ? (
        <ErrorState error={query.error} what="creatives" />
      ) : query.data.length === 0 ? (
        <Empty>No creatives yet.</Empty>
      ) : (
        <ul className="creatives">
          {query.data.map((creative) => (
            <li key={creative.id}>
              <strong>{creative.name}</strong> ({creative.kind}, {Math.ceil(creative.size / 1024)} KB)
              {creative.kind === 'image' && <img src={creative.url} alt={creative.name} className="creative-preview" />}
              <Field label={`Embed code for ${creative.name}`} readOnly value={embedCode(creative, trackingLink)} onFocus={(event) => event.target.select()} />
              {manage && (
                <button type="button" onClick={() => remove.mutate(creative.id)}>
                  Remove <span className="visually-hidden">{creative.name}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {manage && (
        <form onSubmit={submit} className="inline-form" aria-label="Add a creative">
          <Field label="Creative name" required value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
          <Select label="Kind" value={form.kind} onChange={(event) => setForm({ ...form, kind: event.target.value })} options={[{ value: 'image', label: 'Image' }, { value: 'html', label: 'HTML' }]} />
          {form.kind === 'image' ? (
            <div className="field">
              <label htmlFor="creative-file">Image file (PNG, JPEG, GIF or WebP, 2 MB at most)</label>
              <input id="creative-file" type="file" accept="image/png,image/jpeg,image/gif,image/webp" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
            </div>
          ) : (
            <TextArea label="HTML" value={form.html} onChange={(event) => setForm({ ...form, html: event.target.value })} />
          )}
          <button type="submit" disabled={!form.name || (form.kind === 'image' ? !file : !form.html)}>
            Add creative
          </button>
        </form>
      )}
    </section>
  );
}
