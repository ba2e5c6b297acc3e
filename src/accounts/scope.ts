import { ForbiddenError } from '../shared/errors.ts';
import type { SqlParams } from '../shared/sql.ts';
import type { Principal } from './principal.ts';

/**
 * A SQL condition on an advertisers row (by alias) that is true for the advertisers the caller may
 * see: all for a network admin, its managed ones for an agency, its own for an advertiser user.
 */
export function visibleAdvertisers(principal: Principal, alias: string, params: SqlParams): string {
  switch (principal.role) {
    case 'network_admin':
      return 'TRUE';
    case 'agency':
      return `${alias}.agency_id = ${params.add(principal.agencyId)}`;
    case 'advertiser':
      return `${alias}.id = ${params.add(principal.advertiserId)}`;
    case 'partner':
      return 'FALSE';
  }
}

export function canSeeAdvertiser(principal: Principal, advertiser: { id: number; agencyId: number | null }): boolean {
  switch (principal.role) {
    case 'network_admin':
      return true;
    case 'agency':
      return advertiser.agencyId !== null && advertiser.agencyId === principal.agencyId;
    case 'advertiser':
      return advertiser.id === principal.advertiserId;
    case 'partner':
      return false;
  }
}

export function requireAdvertiserAccess(principal: Principal, advertiser: { id: number; agencyId: number | null }): void {
  if (!canSeeAdvertiser(principal, advertiser)) {
    throw new ForbiddenError(`Your API key may not access advertiser ${advertiser.id}`);
  }
}

/** Only managers of advertisers (network admins, agencies) may create them. */
export function requireAdvertiserManager(principal: Principal): void {
  if (principal.role !== 'network_admin' && principal.role !== 'agency') {
    throw new ForbiddenError('Your API key may not create advertisers');
  }
}

/** Partners have no business on the advertiser side of the API. */
export function requireAdvertiserSide(principal: Principal): void {
  if (principal.role === 'partner') throw new ForbiddenError('Partner keys may not access advertiser resources');
}

export function requireNetworkAdmin(principal: Principal): void {
  if (principal.role !== 'network_admin') throw new ForbiddenError('Only network administrators may do this');
}
