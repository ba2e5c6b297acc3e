import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken, unwrap } from './client.ts';

export type SessionUser = NonNullable<Awaited<ReturnType<typeof loadSession>>>['user'];
type Network = { name?: string; timeZone: string; currency: string };

interface Session {
  user: SessionUser;
  network: Network;
}

const SessionContext = createContext<Session | null>(null);

async function loadSession() {
  const { data, error, response } = await api.GET('/api/v1/session');
  if (response.status === 401) return null;
  if (!response.ok || !data) throw new ApiError(response.status, (error as { error?: string } | undefined)?.error ?? `The server answered ${response.status}`);
  setCsrfToken(data.csrfToken ?? null);
  return data as { user: NonNullable<(typeof data)['user']> & { id: number; email: string; name: string; role: 'network_admin' | 'advertiser' | 'partner' | 'agency' }; csrfToken?: string | null };
}

/** Who is signed in, with the network's zone and currency every page shows times and money in. */
export function useSessionQuery() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      const session = await loadSession();
      if (!session) return null;
      const network = await unwrap(api.GET('/api/v1/network'));
      return { user: session.user, network: network as unknown as Network };
    },
    staleTime: 60_000,
    retry: false,
  });
}

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  const client = useQueryClient();
  useEffect(() => {
    const signedOut = () => void client.invalidateQueries({ queryKey: ['session'] });
    window.addEventListener('partnerline:signed-out', signedOut);
    return () => window.removeEventListener('partnerline:signed-out', signedOut);
  }, [client]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

