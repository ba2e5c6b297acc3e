import { useInfiniteQuery } from '@tanstack/react-query';
import { getJson } from './client.ts';

/** Rows the portal asks for at a time: enough to scan, few enough to answer fast on a large network. */
export const ROWS_PER_REQUEST = 100;

type Query = Record<string, string | number | undefined>;

interface PagedList<Row> {
  rows: Row[];
  isPending: boolean;
  isError: boolean;
  error: unknown;
  /** Loads the next rows from the server, when there are more. */
  more: { load: () => void; loading: boolean } | undefined;
}

/** A v1 list read page by page (`page`/`perPage`, answered with `hasMore`), its pages joined as the person asks for more. */
export function usePagedList<Row>(key: string, path: string, query: Query): PagedList<Row> {
  return useRows<Row>(key, path, query, '1', async (page) => {
    const answer = await getJson<{ items: Row[]; hasMore: boolean }>(path, { ...query, page, perPage: ROWS_PER_REQUEST });
    return { rows: answer.items, next: answer.hasMore ? String(Number(page) + 1) : undefined };
  });
}

/** A v1 list that follows `nextCursor` instead of page numbers, its rows in the field `field`. */
export function useCursorList<Row>(key: string, path: string, field: string, query: Query): PagedList<Row> {
  return useRows<Row>(key, path, query, '', async (cursor) => {
    const answer = await getJson<Record<string, unknown> & { nextCursor: string | null }>(path, { ...query, cursor, limit: ROWS_PER_REQUEST });
    return { rows: answer[field] as Row[], next: answer.nextCursor ?? undefined };
  });
}

/** Each request starts at a position, a page number or a cursor; `first` is where the first one starts. */
function useRows<Row>(key: string, path: string, query: Query, first: string, fetchRows: (position: string) => Promise<{ rows: Row[]; next: string | undefined }>): PagedList<Row> {
  const list = useInfiniteQuery({
    queryKey: [key, path, query],
    queryFn: ({ pageParam }) => fetchRows(pageParam),
    initialPageParam: first,
    getNextPageParam: (last) => last.next,
  });
  return {
    rows: list.data?.pages.flatMap((page) => page.rows) ?? [],
    isPending: list.isPending,
    isError: list.isError,
    error: list.error,
    more: list.hasNextPage ? { load: () => void list.fetchNextPage(), loading: list.isFetchingNextPage } : undefined,
  };
}
