import { useCallback, useMemo } from 'react';
import { useLocation, useSearch } from 'wouter';

/** Filters, ranges and pages live in the URL, so a view can be bookmarked and shared. */
export function useUrlState<T extends Record<string, string>>(defaults: T): [T, (changes: Partial<Record<keyof T, string | undefined>>) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const state = useMemo(() => {
    const params = new URLSearchParams(search);
    return Object.fromEntries(Object.entries(defaults).map(([name, fallback]) => [name, params.get(name) ?? fallback])) as T;
  }, [search, defaults]);
  const update = useCallback(
    (changes: Partial<Record<keyof T, string | undefined>>) => {
      const params = new URLSearchParams(search);
      for (const [name, value] of Object.entries(changes)) {
        if (value === undefined || value === defaults[name]) params.delete(name);
        else params.set(name, value as string);
      }
      navigate(`${location}${params.size > 0 ? `?${params}` : ''}`, { replace: true });
    },
    [search, location, navigate, defaults],
  );
  return [state, update];
}
