import { useState, type FormEvent } from 'react';
import { send } from '../api/client.ts';
import { Field } from '../components/Field.tsx';
import { Notice } from '../components/States.tsx';
import { useAction } from '../lib/hooks.ts';

const SUB_IDS = ['aff_sub', 'aff_sub2', 'aff_sub3', 'aff_sub4', 'aff_sub5'] as const;

/** Builds a partner's tracking link with sub-IDs, source, a deep link and a landing page; long and short, and the impression pixel. */
export function LinkBuilder({ offerId, allowDeepLink, choosePartner = false }: { offerId: number; allowDeepLink: boolean; choosePartner?: boolean }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [partnerId, setPartnerId] = useState('');
  const build = useAction(
    () =>
      send<{ url: string; shortUrl: string }>('POST', '/api/v1/tracking-links', {
        offerId,
        ...(choosePartner ? { partnerId: Number(partnerId) } : {}),
        params: Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== '')),
      }),
    [],
  );
  const set = (name: string) => (event: { target: { value: string } }) => setValues({ ...values, [name]: event.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    build.mutate(undefined);
  };
  const link = build.data;
  const pixel = link ? link.url.replace('/aff_c?', '/aff_i?') : '';
  return (
    <section aria-label="Link builder" className="list-section">
      <h2>Tracking link</h2>
      <form onSubmit={submit} className="inline-form" aria-label="Build a tracking link">
        {choosePartner && <Field label="Partner id" inputMode="numeric" required value={partnerId} onChange={(event) => setPartnerId(event.target.value)} />}
        {SUB_IDS.map((name, index) => (
          <Field key={name} label={`Sub-ID ${index + 1}`} value={values[name] ?? ''} onChange={set(name)} />
        ))}
        <Field label="Source" value={values.source ?? ''} onChange={set('source')} hint="Which of your sites or channels sends the click" />
        <Field label="Landing page id" inputMode="numeric" value={values.url_id ?? ''} onChange={set('url_id')} />
        {allowDeepLink && <Field label="Deep link" type="url" value={values.url ?? ''} onChange={set('url')} hint="A page of the advertiser's site to send visitors to" />}
        <button type="submit" className="primary" disabled={build.isPending}>
          Build link
        </button>
      </form>
      {build.message && <Notice kind={build.message.kind}>{build.message.text}</Notice>}
      {link && (
        <div className="link-result">
          <Field label="Tracking link" readOnly value={link.url} onFocus={(event) => event.target.select()} />
          <Field label="Short link" readOnly value={link.shortUrl} onFocus={(event) => event.target.select()} />
          <Field label="Impression pixel" readOnly value={`<img src="${pixel}" width="1" height="1" alt="" />`} onFocus={(event) => event.target.select()} />
          <p>
            <a href={link.url} target="_blank" rel="noreferrer">
              Open the tracking link
            </a>
          </p>
        </div>
      )}
    </section>
  );
}
