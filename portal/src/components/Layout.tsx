import { useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { send } from '../api/client.ts';
import { useSession } from '../api/session.tsx';

type Role = 'network_admin' | 'advertiser' | 'partner' | 'agency';

const NAV: Array<{ path: string; label: string; roles: Role[] }> = [
  { path: '/', label: 'Dashboard', roles: ['network_admin', 'advertiser', 'agency', 'partner'] },
  { path: '/offers', label: 'Offers', roles: ['network_admin', 'advertiser', 'agency'] },
  { path: '/marketplace', label: 'Marketplace', roles: ['partner'] },
  { path: '/partners', label: 'Partners', roles: ['network_admin'] },
  { path: '/applications', label: 'Applications', roles: ['network_admin', 'advertiser', 'agency'] },
  { path: '/advertisers', label: 'Advertisers', roles: ['network_admin', 'agency'] },
  { path: '/reports', label: 'Reports', roles: ['network_admin', 'advertiser', 'agency', 'partner'] },
  { path: '/conversions', label: 'Conversions', roles: ['network_admin', 'advertiser', 'agency', 'partner'] },
  { path: '/refused', label: 'Refused', roles: ['network_admin', 'advertiser', 'agency', 'partner'] },
  { path: '/postbacks', label: 'Postbacks', roles: ['network_admin', 'partner'] },
  { path: '/notifications', label: 'Notifications', roles: ['network_admin', 'advertiser', 'agency', 'partner'] },
  { path: '/users', label: 'Users', roles: ['network_admin', 'advertiser', 'agency', 'partner'] },
  { path: '/access-requests', label: 'API access', roles: ['network_admin'] },
  { path: '/hasoffers', label: 'HasOffers', roles: ['network_admin'] },
  { path: '/settings', label: 'Settings', roles: ['network_admin'] },
  { path: '/audit', label: 'Audit log', roles: ['network_admin', 'advertiser', 'agency', 'partner'] },
  { path: '/account', label: 'Account', roles: ['network_admin', 'advertiser', 'agency', 'partner'] },
];

export const ROLE_NAMES: Record<Role, string> = { network_admin: 'Network', advertiser: 'Advertiser', agency: 'Agency', partner: 'Partner' };

export function Layout({ children }: { children: ReactNode }) {
  const { user, network } = useSession();
  const [location] = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const client = useQueryClient();
  const signOut = async () => {
    await send('DELETE', '/api/v1/session').catch(() => undefined);
    client.clear();
    window.location.assign('/sign-in');
  };
  const items = NAV.filter((item) => item.roles.includes(user.role));
  const current = (path: string) => (path === '/' ? location === '/' : location.startsWith(path));
  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Partnerline</span>
        <span className="who">
          {network.name ?? 'Network'} · {ROLE_NAMES[user.role]} · {user.email}
        </span>
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav id="main-nav" aria-label="Main" className={menuOpen ? 'open' : ''}>
        <ul>
          {items.map((item) => (
            <li key={item.path}>
              <Link href={item.path} aria-current={current(item.path) ? 'page' : undefined} onClick={() => setMenuOpen(false)}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function PageTitle({ children, intro }: { children: ReactNode; intro?: ReactNode }) {
  return (
    <div className="page-title">
      <h1>{children}</h1>
      {intro && <p className="intro">{intro}</p>}
    </div>
  );
}
