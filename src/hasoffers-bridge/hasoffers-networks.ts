import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { isTimeZone } from '../shared/time-zones.ts';
import { isHttpUrl } from '../shared/urls.ts';
import type { Queryable } from '../store/store.ts';
import type { HasOffersNetworkAccess } from './hasoffers-client.ts';

/** The HasOffers networks a network syncs into, and which of its offers and partners are which there. */

export interface HasOffersNetwork {
  id: number;
  name: string;
  apiUrl: string;
  networkId: string;
  /** The network's own zone, in which HasOffers reads and writes datetimes. */
  timeZone: string;
  /** The token's last four characters: the token itself is never shown again. */
  tokenEnding: string;
  offersLinked: number;
  partnersLinked: number;
  createdAt: Date;
}

export interface HasOffersNetworkInput {
  name?: string;
  apiUrl?: string;
  networkId?: string;
  networkToken?: string;
  timeZone?: string;
}

const SELECT_NETWORK = `
  SELECT n.id, n.name, n.api_url AS "apiUrl", n.network_id AS "networkId", n.time_zone AS "timeZone", right(n.network_token, 4) AS "tokenEnding", n.created_at AS "createdAt",
         (SELECT count(*)::int FROM hasoffers_offer_links l WHERE l.hasoffers_network_id = n.id) AS "offersLinked",
         (SELECT count(*)::int FROM hasoffers_partner_links l WHERE l.hasoffers_network_id = n.id) AS "partnersLinked"
  FROM hasoffers_networks n`;

export async function listHasOffersNetworks(db: Queryable): Promise<HasOffersNetwork[]> {
  return db.query<HasOffersNetwork>(`${SELECT_NETWORK} ORDER BY n.id`);
}

export async function getHasOffersNetwork(db: Queryable, id: number): Promise<HasOffersNetwork> {
  const [network] = await db.query<HasOffersNetwork>(`${SELECT_NETWORK} WHERE n.id = $1`, [id]);
  if (!network) throw new NotFoundError('HasOffers network', id);
  return network;
}

/** SQL joining each connected network (`n`) to the import source it was imported from (`s`), if it was. */
export const NETWORK_IMPORT_SOURCE = `hasoffers_networks n JOIN hasoffers_import_sources s ON s.api_url = rtrim(n.api_url, '/') AND s.network_id = n.network_id`;

/** What it takes to call the network, with its name and zone: for the bridge's own calls, never for an answer. */
export interface NetworkAccess extends HasOffersNetworkAccess {
  id: number;
  name: string;
  timeZone: string;
}

/** The network's access, if it is still connected. */
export async function findHasOffersAccess(db: Queryable, id: number): Promise<NetworkAccess | undefined> {
  const [access] = await db.query<NetworkAccess>(
    `SELECT id, name, api_url AS "apiUrl", network_id AS "networkId", network_token AS "networkToken", time_zone AS "timeZone" FROM hasoffers_networks WHERE id = $1`,
    [id],
  );
  return access;
}

export async function hasOffersAccess(db: Queryable, id: number): Promise<NetworkAccess> {
  const access = await findHasOffersAccess(db, id);
  if (!access) throw new NotFoundError('HasOffers network', id);
  return access;
}

/** The input with its name trimmed, or a ValidationError naming the first field that is wrong. */
export function checkedNetworkInput(input: HasOffersNetworkInput): HasOffersNetworkInput {
  const name = input.name?.trim();
  if (name === '') throw new ValidationError('name', 'is empty');
  if (input.apiUrl !== undefined && !isHttpUrl(input.apiUrl)) throw new ValidationError('apiUrl', 'must be an http or https URL, such as https://api.hasoffers.com');
  if (input.networkId !== undefined && !/^[A-Za-z0-9_-]{1,100}$/.test(input.networkId)) throw new ValidationError('networkId', 'must be the network id HasOffers gave, letters, digits, _ or -');
  if (input.networkToken !== undefined && !/^\S{8,200}$/.test(input.networkToken)) throw new ValidationError('networkToken', 'must be the network API key, 8 to 200 characters without spaces');
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) throw new ValidationError('timeZone', 'must be a time zone such as America/New_York or UTC');
  return { ...input, name };
}

async function nameIsFree(db: Queryable, name: string, except: number | null): Promise<void> {
  const [other] = await db.query<{ id: number }>('SELECT id FROM hasoffers_networks WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2', [name, except]);
  if (other) throw new ConflictError(`There is already a HasOffers network named "${name}" (network ${other.id})`);
}

export async function addHasOffersNetwork(db: Queryable, input: HasOffersNetworkInput & Required<Omit<HasOffersNetworkInput, 'timeZone'>>): Promise<HasOffersNetwork> {
  const wanted = checkedNetworkInput(input) as typeof input;
  await nameIsFree(db, wanted.name, null);
  const [row] = await db.query<{ id: number }>(
    'INSERT INTO hasoffers_networks (name, api_url, network_id, network_token, time_zone) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [wanted.name, wanted.apiUrl, wanted.networkId, wanted.networkToken, wanted.timeZone ?? 'UTC'],
  );
  return getHasOffersNetwork(db, row!.id);
}

export async function changeHasOffersNetwork(db: Queryable, id: number, input: HasOffersNetworkInput): Promise<HasOffersNetwork> {
  await getHasOffersNetwork(db, id);
  const wanted = checkedNetworkInput(input);
  if (wanted.name !== undefined) await nameIsFree(db, wanted.name, id);
  await db.query(
    `UPDATE hasoffers_networks SET name = coalesce($2, name), api_url = coalesce($3, api_url), network_id = coalesce($4, network_id),
       network_token = coalesce($5, network_token), time_zone = coalesce($6, time_zone), updated_at = now() WHERE id = $1`,
    [id, wanted.name ?? null, wanted.apiUrl ?? null, wanted.networkId ?? null, wanted.networkToken ?? null, wanted.timeZone ?? null],
  );
  return getHasOffersNetwork(db, id);
}

export async function removeHasOffersNetwork(db: Queryable, id: number): Promise<void> {
  await getHasOffersNetwork(db, id);
  await db.query('DELETE FROM hasoffers_networks WHERE id = $1', [id]);
}
