export const ROLES = ['network_admin', 'advertiser', 'partner', 'agency'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: the user behind an API key, with the scope its role grants. */
export interface Principal {
  userId: number;
  keyId: number | null;
  role: Role;
  advertiserId: number | null;
  partnerId: number | null;
  agencyId: number | null;
}

/** The operator at the console (CLI, admin API): a network admin with no key. */
export const OPERATOR: Principal = {
  userId: 0,
  keyId: null,
  role: 'network_admin',
  advertiserId: null,
  partnerId: null,
  agencyId: null,
};
