import type { Queryable } from '../store/store.ts';

/**
 * Partners' links of an imported HasOffers network, on its tracking domain once that points here,
 * carry the other network's offer, affiliate and goal ids. Requests to that host have them
 * translated to the ids they were imported as, so those links keep working unchanged.
 */

type Query = Record<string, unknown>;

/** Which query parameters carry which kind of id. */
const ID_PARAMETERS: Record<string, 'offer' | 'partner' | 'goal'> = { offer_id: 'offer', aff_id: 'partner', affiliate_id: 'partner', goal_id: 'goal' };

type IdMaps = Record<'offer' | 'partner' | 'goal', Map<string, string>>;

/** The ids of one imported network's links as this network knows them; what it did not import passes as sent. */
export function translateQuery(maps: IdMaps, query: Query): Query {
  const translated: Query = { ...query };
  for (const [name, kind] of Object.entries(ID_PARAMETERS)) {
    const value = query[name];
    if (typeof value !== 'string') continue;
    const local = maps[kind].get(value);
    if (local !== undefined) translated[name] = local;
  }
  return translated;
}

export class ImportedLinks {
  private readonly db: Queryable;
  private byHost = new Map<string, IdMaps>();

  constructor(db: Queryable) {
    this.db = db;
  }

  async refresh(): Promise<void> {
    const rows = await this.db.query<{ host: string; kind: 'offer' | 'partner' | 'goal'; externalId: string; localId: string }>(
      `SELECT lower(s.tracking_host) AS host, i.kind, i.external_id AS "externalId", i.local_id::text AS "localId"
       FROM hasoffers_import_sources s JOIN hasoffers_imported i ON i.source_id = s.id
       WHERE s.tracking_host IS NOT NULL AND i.kind IN ('offer', 'partner', 'goal')`,
    );
    const byHost = new Map<string, IdMaps>();
    for (const row of rows) {
      let maps = byHost.get(row.host);
      if (!maps) byHost.set(row.host, (maps = { offer: new Map(), partner: new Map(), goal: new Map() }));
      maps[row.kind].set(row.externalId, row.localId);
    }
    this.byHost = byHost;
  }

  /** The query a request to `host` means here. */
  translate(host: string | string[] | undefined, query: Query): Query {
    if (this.byHost.size === 0 || typeof host !== 'string') return query;
    const maps = this.byHost.get(host.toLowerCase());
    return maps ? translateQuery(maps, query) : query;
  }
}
