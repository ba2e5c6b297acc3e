import {
  flexRender,
  getCoreRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type RowSelectionState,
  type SortingState,
  type VisibilityState,
} from '@tanstack/react-table';
import { useId, useState } from 'react';
import { curlFor } from '../api/client.ts';
import { downloadCsv } from '../lib/csv.ts';
import { Empty } from './States.tsx';

export interface TableRequest {
  method?: string;
  path: string;
  query?: Record<string, string | number | undefined>;
}

interface DataTableProps<Row> {
  caption: string;
  columns: Array<ColumnDef<Row, any>>;
  data: Row[];
  /** The API call behind the table, shown as curl. */
  request: TableRequest;
  csvName: string;
  empty: string;
  rowId?: (row: Row) => string;
  selection?: { selected: RowSelectionState; onChange: (selected: RowSelectionState) => void };
  pageSize?: number;
  /** More rows the server holds beyond those loaded. */
  more?: { load: () => void; loading: boolean };
}

/** Every table: sorts, pages, chooses columns, exports what is shown as CSV, and shows its API call. */
export function DataTable<Row>({ caption, columns, data, request, csvName, empty, rowId, selection, pageSize = 25, more }: DataTableProps<Row>) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const [visibility, setVisibility] = useState<VisibilityState>({});
  const [showCurl, setShowCurl] = useState(false);
  const curlId = useId();
  const table = useReactTable({
    data,
    columns,
    state: { sorting, columnVisibility: visibility, ...(selection ? { rowSelection: selection.selected } : {}) },
    onSortingChange: setSorting,
    onColumnVisibilityChange: setVisibility,
    onRowSelectionChange: selection ? (updater) => selection.onChange(typeof updater === 'function' ? updater(selection.selected) : updater) : undefined,
    enableRowSelection: Boolean(selection),
    getRowId: rowId ? (row) => rowId(row) : undefined,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getPaginationRowModel: getPaginationRowModel(),
    initialState: { pagination: { pageSize } },
  });
  const shown = table.getVisibleLeafColumns().filter((column) => column.id !== 'select' && column.id !== 'actions');
  const exportCsv = () =>
    downloadCsv(
      csvName,
      shown.map((column) => String(column.columnDef.header ?? column.id)),
      table.getSortedRowModel().rows.map((row) => shown.map((column) => row.getValue(column.id))),
    );
  return (
    <section className="table-block" aria-label={caption}>
      <div className="table-tools">
        <details className="columns">
          <summary>Columns</summary>
          <fieldset>
            <legend className="visually-hidden">Columns to show</legend>
            {table
              .getAllLeafColumns()
              .filter((column) => column.getCanHide() && column.id !== 'select' && column.id !== 'actions')
              .map((column) => (
                <label key={column.id}>
                  <input type="checkbox" checked={column.getIsVisible()} onChange={column.getToggleVisibilityHandler()} /> {String(column.columnDef.header ?? column.id)}
                </label>
              ))}
          </fieldset>
        </details>
        <button type="button" onClick={exportCsv} disabled={data.length === 0}>
          Export CSV
        </button>
        <button type="button" aria-expanded={showCurl} aria-controls={curlId} onClick={() => setShowCurl(!showCurl)}>
          {showCurl ? 'Hide API request' : 'Show API request'}
        </button>
      </div>
      {showCurl && (
        <pre id={curlId} className="curl" tabIndex={0} aria-label="The API request behind this table">
          {curlFor(request.method ?? 'GET', request.path, request.query)}
        </pre>
      )}
      {data.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <>
          <div className="table-scroll" tabIndex={0} role="region" aria-label={`${caption} (scrolls sideways)`}>
            <table>
              <caption className="visually-hidden">{caption}</caption>
              <thead>
                {table.getHeaderGroups().map((group) => (
                  <tr key={group.id}>
                    {group.headers.map((header) => {
                      const sorted = header.column.getIsSorted();
                      return (
                        <th key={header.id} scope="col" aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
                          {header.column.getCanSort() ? (
                            <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()}>
                              {flexRender(header.column.columnDef.header, header.getContext())}
                              <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
                            </button>
                          ) : (
                            flexRender(header.column.columnDef.header, header.getContext())
                          )}
                        </th>
                      );
                    })}
                  </tr>
                ))}
              </thead>
              <tbody>
                {table.getRowModel().rows.map((row) => (
                  <tr key={row.id} aria-selected={selection ? row.getIsSelected() : undefined}>
                    {row.getVisibleCells().map((cell) => (
                      <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label={`${caption} pages`}>
            <button type="button" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>
              Previous
            </button>
            <span>
              Page {table.getState().pagination.pageIndex + 1} of {Math.max(1, table.getPageCount())} · {data.length} rows{more ? ' loaded' : ''}
            </span>
            <button type="button" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
              Next
            </button>
            {more && (
              <button type="button" onClick={more.load} disabled={more.loading}>
                {more.loading ? 'Loading…' : 'Load more rows'}
              </button>
            )}
          </nav>
        </>
      )}
    </section>
  );
}

/** A checkbox column for tables whose rows can be acted on together. */
export function selectColumn<Row>(label: (row: Row) => string): ColumnDef<Row, unknown> {
  return {
    id: 'select',
    enableSorting: false,
    enableHiding: false,
    header: ({ table }) => (
      <input type="checkbox" aria-label="Select every row on this page" checked={table.getIsAllPageRowsSelected()} onChange={table.getToggleAllPageRowsSelectedHandler()} />
    ),
    cell: ({ row }) => <input type="checkbox" aria-label={`Select ${label(row.original)}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} />,
  };
}
