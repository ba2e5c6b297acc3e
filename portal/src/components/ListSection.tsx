import { useQuery } from '@tanstack/react-query';
import { createColumnHelper, type ColumnDef } from '@tanstack/react-table';
import { useState, type FormEvent, type ReactNode } from 'react';
import { getJson, send } from '../api/client.ts';
import { latest, useAction } from '../lib/hooks.ts';
import { DataTable } from './DataTable.tsx';
import { Field, Select } from './Field.tsx';
import { ErrorState, Loading, Notice } from './States.tsx';

type Row = Record<string, unknown> & { id?: number | string };
export interface FormField {
  name: string;
  label: string;
  options?: Array<{ value: string; label: string }>;
  hint?: string;
  number?: boolean;
  optional?: boolean;
}

/**
 * A list an offer (or account) holds through one API path, with a form that adds to it and, where
 * the API removes items, a button per row: goals, caps, partner payouts, landing pages.
 */
export function ListSection({
  title,
  path,
  fields,
  columns,
  addLabel,
  removable,
  intro,
  method = 'POST',
}: {
  title: string;
  path: string;
  fields: FormField[];
  columns: string[];
  addLabel: string;
  removable?: boolean;
  intro?: ReactNode;
  method?: 'POST' | 'PUT';
}) {
  const query = useQuery({ queryKey: [path], queryFn: () => getJson<Row[]>(path) });
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((field) => [field.name, field.options?.[0]?.value ?? ''])));
  const add = useAction(
    () =>
      send(
        method,
        path,
        Object.fromEntries(
          fields.filter((field) => !(field.optional && values[field.name] === '')).map((field) => [field.name, field.number ? Number(values[field.name]) : values[field.name]]),
        ),
      ),
    [[path]],
    () => `${addLabel}: done.`,
  );
  const remove = useAction((id: string | number) => send('DELETE', `${path}/${id}`), [[path]], () => 'Removed.');
  const column = createColumnHelper<Row>();
  const defs: Array<ColumnDef<Row, any>> = columns.map((name) => column.accessor((row) => (row[name] === null || row[name] === undefined ? '' : String(row[name])), { id: name, header: name }));
  if (removable) {
    defs.push(
      column.display({
        id: 'actions',
        header: 'Actions',
        cell: (info) => (
          <button type="button" onClick={() => remove.mutate(info.row.original.id!)}>
            Remove <span className="visually-hidden">{String(info.row.original.name ?? info.row.original.id)}</span>
          </button>
        ),
      }),
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(undefined);
  };
  return (
    <section aria-label={title} className="list-section">
      <h2>{title}</h2>
      {intro}
      {query.isPending ? (
        <Loading what={title.toLowerCase()} />
      ) : query.isError ? (
        <ErrorState error={query.error} what={title.toLowerCase()} />
      ) : (
        <DataTable caption={title} columns={defs} data={query.data} request={{ path }} csvName={`${title.toLowerCase().replaceAll(' ', '-')}.csv`} empty={`No ${title.toLowerCase()} yet.`} pageSize={10} />
      )}
      <form onSubmit={submit} className="inline-form" aria-label={addLabel}>
        {fields.map((field) =>
          field.options ? (
            <Select key={field.name} label={field.label} value={values[field.name]} onChange={(event) => setValues({ ...values, [field.name]: event.target.value })} options={field.options} />
          ) : (
            <Field key={field.name} label={field.label} hint={field.hint} value={values[field.name]} onChange={(event) => setValues({ ...values, [field.name]: event.target.value })} />
          ),
        )}
        <button type="submit" disabled={add.isPending}>
          {addLabel}
        </button>
      </form>
      {latest(add.message, remove.message) && <Notice kind={latest(add.message, remove.message)!.kind}>{latest(add.message, remove.message)!.text}</Notice>}
    </section>
  );
}
