import { parse, protocol, type PGlite } from '@electric-sql/pglite';
import { setBounded } from '../shared/bounded-map.ts';

const { serialize } = protocol;

interface Prepared {
  name: string;
  /** The parameters' type ids, which say how each value is written. */
  paramTypes: number[];
}

/** Enough for every statement the code writes; a statement built per request only evicts an older one. */
const CAPACITY = 500;

/**
 * Statements inside a transaction, each parsed and described once per session. PGlite's own
 * query() sends a statement's parse, describe, bind, describe, execute and sync as six calls into
 * the engine, and parses and plans it every time: about 200 µs before a trivial statement does
 * anything. Here a known statement is bound, described and executed in one call (about 70 µs), and
 * its plan is the engine's to keep.
 */
export class PreparedStatements {
  private readonly db: PGlite;
  private readonly known = new Map<string, Prepared>();
  private nextName = 1;

  constructor(db: PGlite) {
    this.db = db;
  }

  /**
   * Run first in each transaction. PostgreSQL plans a prepared statement again at every run while
   * its generic plan looks dearer than those made for the values given, as a lookup by `= ANY($1)`
   * of one offer does: the generic plan counts on ten. Here planning costs more than such a
   * lookup, and no statement run in a transaction needs its values to choose its plan.
   */
  useGenericPlans(): Promise<unknown[]> {
    return this.query('SET LOCAL plan_cache_mode = force_generic_plan');
  }

  /** Runs one statement inside the transaction under way; a failure aborts it, as any statement's does. */
  query(sql: string, params: readonly unknown[] = []): Promise<unknown[]> {
    // One exchange with the engine at a time, as PGlite's own statements take turns.
    return this.db.runExclusive(async () => {
      const statement = this.known.get(sql) ?? (await this.prepare(sql));
      const values = params.map((value, index) => {
        if (value === null || value === undefined) return null;
        const write = this.db.serializers[statement.paramTypes[index]!];
        return write ? write(value) : String(value);
      });
      const { messages } = await this.db.execProtocol(
        Buffer.concat([serialize.bind({ statement: statement.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
        { syncToFs: false },
      );
      return parse.parseResults(messages, this.db.parsers)[0]!.rows;
    });
  }

  private async prepare(sql: string): Promise<Prepared> {
    const name = `pl_${this.nextName++}`;
    const { messages } = await this.db.execProtocol(
      Buffer.concat([serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()]),
      { syncToFs: false },
    );
    const prepared = { name, paramTypes: parse.parseDescribeStatementResults(messages) };
    const evicted = setBounded(this.known, sql, prepared, CAPACITY);
    if (evicted) await this.db.execProtocol(Buffer.concat([serialize.close({ type: 'S', name: evicted[1].name }), serialize.sync()]), { syncToFs: false });
    return prepared;
  }
}
