import { isDataException, sqlState, type Store } from '../store/store.ts';
import { claimKeptTraffic, forgetKeptTraffic, keepTraffic, marksNamedIn, readKeptTraffic, type WaitingTraffic } from './kept-traffic.ts';
import { forgetWriteMarks, isWriteMark, newWriteMark, storedWitnesses, type ClickRecord, type ImpressionRecord, type TrafficBatch } from './traffic-writes.ts';
import { clickTimeOf } from './transaction-ids.ts';

export interface ClickWriterOptions {
  /** Rows that trigger a write at once. */
  maxBatch: number;
  /** How long a row may wait for company before it is written. */
  maxDelayMs: number;
  /**
   * Settles with the other processes what they count together (which counted clicks are unique,
   * each address's clicks this hour), once a click, before it is written.
   */
  shareWithOthers?: (clicks: ClickRecord[]) => Promise<void>;
  /**
   * Where traffic waits on disk rather than in memory: what the store would not take at a stop, and,
   * while it refuses writes, whatever grows past `maxRowsInMemory`.
   */
  keep?: { dir: string; maxRowsInMemory: number };
  /**
   * Other processes write clicks to this store too (a PostgreSQL server): a conversion for a click
   * none of this process's may wait for another's to write it (see OTHERS_CLICK_WAIT_MS).
   */
  sharedStore?: boolean;
}

/**
 * How long after its click a conversion waits for a click another process took but has not yet
 * written: its batch gathers for CLICK_BATCH_MS and commits; two seconds cover that with room.
 */
const OTHERS_CLICK_WAIT_MS = 2_000;
const OTHERS_CLICK_POLL_MS = 25;

const RETRY_DELAY_MS = 200;
const SHARE_TIMEOUT_MS = 250;

/** The store refuses a value in the batch (data exception or integrity violation), not the write itself. */
const refusesAValue = (error: unknown) => isDataException(error) || sqlState(error)?.startsWith('23') === true;

/** A backlog in writes of at most `rows` clicks and `rows` impressions each. */
function* writesOf({ clicks, impressions }: TrafficBatch, rows: number): Generator<TrafficBatch> {
  for (let at = 0; at < Math.max(clicks.length, impressions.length); at += rows) {
    yield { clicks: clicks.slice(at, at + rows), impressions: impressions.slice(at, at + rows) };
  }
}

/** Two smaller batches, each of at least one row. */
function halves({ clicks, impressions }: TrafficBatch): [TrafficBatch, TrafficBatch] {
  const cut = Math.ceil((clicks.length + impressions.length) / 2);
  const clickCut = Math.min(cut, clicks.length);
  return [
    { clicks: clicks.slice(0, clickCut), impressions: impressions.slice(0, cut - clickCut) },
    { clicks: clicks.slice(clickCut), impressions: impressions.slice(cut - clickCut) },
  ];
}

/**
 * Group commit for clicks and impressions: rows wait in memory for a few milliseconds, then one
 * transaction writes them all with their statistics. A click not yet written can still be found,
 * and `ensureWritten` waits for it, so a conversion right behind its click is never lost.
 */
export class ClickWriter {
  private readonly store: Store;
  private readonly options: ClickWriterOptions;
  private clicks: ClickRecord[] = [];
  private impressions: ImpressionRecord[] = [];
  private readonly unwritten = new Map<string, ClickRecord>();
  private readonly shared = new WeakSet<ClickRecord>();
  /**
   * The rows of a write that failed in a way that may have committed all the same (the connection
   * lost during COMMIT): its clicks by id, its impressions by a witness of that write (one of its
   * clicks, or the mark a write of impressions alone stores), whose being stored proves the write
   * committed. Settled before the next write.
   */
  private readonly inDoubt = new Set<string>();
  private witnessOf = new WeakMap<ImpressionRecord, string>();
  /** The own mark of an impression taken back from disk, stored in the transaction that stores it. */
  private readonly markOf = new WeakMap<ImpressionRecord, string>();
  /** Marks of writes known to have committed, removed by the next write. */
  private settledMarks: string[] = [];
  /**
   * The kept file whose rows are back in memory: it stays on disk until they are stored, or kept in
   * its place, so a process killed meanwhile loses none; and the marks it names stay in the store
   * until it is gone, so whoever takes it back then knows which were stored. One at a time: a file
   * is taken back only once the one before it is gone.
   */
  private takenBack: { file: string; marks: Set<string> } | undefined;
  /** This process's files of traffic moved to disk during an outage, oldest first, taken back once writes succeed. */
  private readonly overflow: Array<{ file: string; rows: number }> = [];
  /** The clicks in those files, so a conversion still waits for its click. */
  private readonly overflowClicks = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failures = 0;
  /** Rows taken from the queue into the write under way: waiting too, as /readyz counts. */
  private writing = 0;
  /** Clicks this process wrote lately, in two generations of OTHERS_CLICK_WAIT_MS: a conversion on one of them waits for nobody. */
  private writtenLately = new Set<string>();
  private writtenBefore = new Set<string>();
  private generationStart = Date.now();
  onError: (error: unknown) => void = () => {};
  /** The store would not take the traffic waiting at a stop: it was kept on disk, in `dir`, instead. */
  onKept: (dir: string, rows: number, error: unknown) => void = () => {};
  /** A row the store refuses on its own: it is left out, so it cannot hold up every row behind it. */
  onSetAside: (row: ClickRecord | ImpressionRecord, error: unknown) => void = () => {};

  constructor(store: Store, options: ClickWriterOptions) {
    this.store = store;
    this.options = options;
  }

  /** Rows answered but not yet stored, in memory or moved to disk. */
  get backlog(): number {
    return this.inMemory + this.overflow.reduce((rows, kept) => rows + kept.rows, 0);
  }

  private get inMemory(): number {
    return this.clicks.length + this.impressions.length;
  }

  addClick(click: ClickRecord): void {
    this.clicks.push(click);
    this.unwritten.set(click.transactionId, click);
    this.schedule();
  }

  addImpression(impression: ImpressionRecord): void {
    this.impressions.push(impression);
    this.schedule();
  }

  /** Everything waiting, taken out of memory to be kept on disk, each impression with its witness. */
  private takeWaiting(): WaitingTraffic {
    clearTimeout(this.timer);
    this.timer = undefined;
    const waiting = {
      clicks: this.clicks,
      impressions: this.impressions.map((impression) => ({ impression, witness: this.witnessOf.get(impression), mark: this.markOf.get(impression) })),
    };
    [this.clicks, this.impressions] = [[], []];
    this.unwritten.clear();
    this.inDoubt.clear();
    this.witnessOf = new WeakMap();
    return waiting;
  }

  /**
   * Takes back traffic kept on disk, by an earlier process or by this one during an outage. The last
   * write before it was kept may have been stored after all, and a restore cut short may have stored
   * some of it: every click, and each impression's witness and own mark, is looked up in the store
   * before the next write. Their uniqueness was decided when they were made, and stands; what
   * they count with other processes was shared then too.
   */
  private restore({ clicks, impressions }: WaitingTraffic): void {
    for (const click of clicks) {
      if (this.unwritten.has(click.transactionId)) continue;
      this.clicks.push(click);
      this.unwritten.set(click.transactionId, click);
      this.inDoubt.add(click.transactionId);
      this.shared.add(click);
    }
    for (const { impression, witness, mark } of impressions) {
      this.impressions.push(impression);
      if (mark !== undefined) {
        this.markOf.set(impression, mark);
        this.inDoubt.add(mark);
      }
      if (witness === undefined) continue;
      this.witnessOf.set(impression, witness);
      this.inDoubt.add(witness);
    }
  }

  /** The clicks not yet in the store, and the impressions waiting in memory. */
  waiting(): { clicks: Iterable<ClickRecord>; impressions: readonly ImpressionRecord[] } {
    return { clicks: this.unwritten.values(), impressions: this.impressions };
  }

  find(transactionId: string): ClickRecord | undefined {
    return this.unwritten.get(transactionId);
  }

  /** Rows not yet in the store: those waiting here, those being written, and those kept on disk. */
  get notYetStored(): number {
    return this.backlog + this.writing;
  }

  /**
   * Resolves once the click is in the store, or at once if it never waited here. On a store other
   * processes share, a click this process did not write may be another's still gathering or
   * committing: it waits for it until OTHERS_CLICK_WAIT_MS after the click, which its id tells.
   */
  async ensureWritten(transactionId: string): Promise<void> {
    while (this.unwritten.has(transactionId) || this.overflowClicks.has(transactionId)) await this.flush();
    if (!this.options.sharedStore || this.writtenLately.has(transactionId) || this.writtenBefore.has(transactionId)) return;
    const madeAt = clickTimeOf(transactionId);
    // An id that claims a click from the future is nobody's: another process's clock is seconds off at most.
    if (madeAt === undefined || madeAt > Date.now() + OTHERS_CLICK_WAIT_MS) return;
    const deadline = Math.min(madeAt, Date.now()) + OTHERS_CLICK_WAIT_MS;
    while (Date.now() < deadline) {
      if ((await this.store.query('SELECT 1 FROM clicks WHERE transaction_id = $1', [transactionId])).length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, OTHERS_CLICK_POLL_MS));
    }
  }

  private rememberWritten(clicks: ClickRecord[]): void {
    if (!this.options.sharedStore) return;
    if (Date.now() - this.generationStart > OTHERS_CLICK_WAIT_MS) {
      this.writtenBefore = this.writtenLately;
      this.writtenLately = new Set();
      this.generationStart = Date.now();
    }
    for (const click of clicks) this.writtenLately.add(click.transactionId);
  }

  /**
   * Stores the traffic earlier processes kept on disk, before this one counts anything; returns how
   * many rows. Should the store refuse, what is left is kept again and the failure stands.
   */
  async writeKept(): Promise<number> {
    if (!this.options.keep) return 0;
    let rows = 0;
    // A file at a time, so memory holds one file's rows however many were kept.
    for (const file of await claimKeptTraffic(this.options.keep.dir)) {
      await this.takeBack(file);
      rows += this.inMemory;
      const kept = await this.writeOrKeep();
      if (kept) throw kept.error;
    }
    return rows;
  }

  private async takeBack(file: string): Promise<WaitingTraffic> {
    const traffic = await readKeptTraffic(file);
    this.takenBack = { file, marks: new Set(marksNamedIn(traffic)) };
    this.restore(traffic);
    return traffic;
  }

  /** The file taken back, its rows now stored: gone, and the marks it named removed by the next write. */
  private async forgetTakenBack(): Promise<void> {
    if (!this.takenBack) return;
    await forgetKeptTraffic([this.takenBack.file]);
    this.releaseTakenBack(new Set());
  }

  /** The marks the file taken back named, except those the traffic kept in its place names too, are no longer needed. */
  private releaseTakenBack(stillNamed: ReadonlySet<string>): void {
    for (const mark of this.takenBack?.marks ?? []) if (!stillNamed.has(mark)) this.settledMarks.push(mark);
    this.takenBack = undefined;
  }

  /** Keeps what waits in memory on disk, in place of the file taken back if there is one; answers the file. */
  private async keepWaiting(dir: string, claimed: boolean): Promise<string> {
    const waiting = this.takeWaiting();
    try {
      const file = await keepTraffic(dir, waiting, { claimed, replacing: this.takenBack?.file });
      this.releaseTakenBack(new Set(marksNamedIn(waiting)));
      return file;
    } catch (error) {
      this.restore(waiting);
      throw error;
    }
  }

  /** Writes everything waiting; what the store will not take is kept on disk for the next start. */
  async close(): Promise<void> {
    const kept = await this.writeOrKeep();
    if (kept) this.onKept(this.options.keep!.dir, kept.rows, kept.error);
    // A mark the store keeps costs a row and nothing else: with the store away, it stays.
    else await forgetWriteMarks(this.store, this.settledMarks).catch(() => {});
  }

  /** Files already moved to disk stay there, claimed by this process, which the next start takes as well. */
  private async writeOrKeep(): Promise<{ rows: number; error: unknown } | undefined> {
    try {
      while (this.backlog > 0) await this.flush();
      await this.forgetTakenBack();
      return undefined;
    } catch (error) {
      if (!this.options.keep) throw error;
      const rows = this.backlog;
      if (this.inMemory > 0) await this.keepWaiting(this.options.keep.dir, false);
      return { rows, error };
    }
  }

  private schedule(): void {
    if (this.inMemory === this.options.maxBatch) {
      void this.flush().catch(() => {});
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => {}), this.options.maxDelayMs);
    }
  }

  /** Writes everything waiting, a batch a transaction. Writes queue behind each other; the next batch gathers meanwhile. */
  flush(): Promise<void> {
    const run = this.chain.then(() => this.writeBacklog());
    this.chain = run.catch(() => {});
    return run;
  }

  private async writeBacklog(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.backlog === 0) return;
    let clicks: ClickRecord[] = [];
    let impressions: ImpressionRecord[] = [];
    const done = new WeakSet<ClickRecord | ImpressionRecord>();
    try {
      // Moved traffic comes back only once the store takes writes: after a write that succeeded, or,
      // with nothing in memory to try it with, after a cheap question it answers.
      if (this.overflow.length > 0 && (this.failures === 0 || this.inMemory === 0)) {
        if (this.failures > 0) await this.store.query('SELECT 1');
        await this.takeBackOverflow();
      }
      await this.settleDoubt();
      [clicks, impressions] = [this.clicks, this.impressions];
      [this.clicks, this.impressions] = [[], []];
      this.writing = clicks.length + impressions.length;
      await this.share(clicks);
      // However long the backlog grew while the store was away, each transaction stays the size of a batch.
      for (const batch of writesOf({ clicks, impressions }, this.options.maxBatch)) await this.write(batch, done);
      await this.forgetTakenBack();
      this.failures = 0;
    } catch (error) {
      // Nothing is dropped: the rows not yet written go back to the front of the queue and are tried again.
      this.failures += 1;
      this.clicks = clicks.filter((click) => !done.has(click)).concat(this.clicks);
      this.impressions = impressions.filter((impression) => !done.has(impression)).concat(this.impressions);
      this.onError(error);
      await this.moveOverflowToDisk();
      throw error;
    } finally {
      this.writing = 0;
      if (this.backlog > 0 && !this.timer) {
        const delay = this.failures > 0 ? RETRY_DELAY_MS : this.backlog >= this.options.maxBatch ? 0 : this.options.maxDelayMs;
        this.timer = setTimeout(() => void this.flush().catch(() => {}), delay);
      }
    }
  }

  /**
   * Writes a batch with its statistics. A batch the store refuses for a value in it is written in
   * halves, down to the one row it refuses, which is set aside.
   */
  private async write(batch: TrafficBatch, done: WeakSet<ClickRecord | ImpressionRecord>): Promise<void> {
    const mark = batch.clicks.length === 0 ? newWriteMark() : undefined;
    const ownMarks = batch.impressions.flatMap((impression) => this.markOf.get(impression) ?? []);
    const settledMarks = this.settledMarks;
    this.settledMarks = [];
    try {
      await this.store.runTask('writeTraffic', { ...batch, marks: mark === undefined ? ownMarks : [mark, ...ownMarks], settledMarks });
    } catch (error) {
      this.settledMarks.push(...settledMarks);
      if (!refusesAValue(error)) {
        this.doubt(batch, mark);
        throw error;
      }
      if (batch.clicks.length + batch.impressions.length > 1) {
        for (const half of halves(batch)) await this.write(half, done);
        return;
      }
      this.onSetAside(batch.clicks[0] ?? batch.impressions[0]!, error);
    }
    if (mark !== undefined) this.settledMarks.push(mark);
    this.rememberWritten(batch.clicks);
    for (const click of batch.clicks) {
      done.add(click);
      this.unwritten.delete(click.transactionId);
    }
    for (const impression of batch.impressions) done.add(impression);
  }

  /** While the store refuses writes, memory holds at most `maxRowsInMemory` rows: beyond, they wait in a file. */
  private async moveOverflowToDisk(): Promise<void> {
    const keep = this.options.keep;
    if (!keep || this.inMemory < keep.maxRowsInMemory) return;
    const rows = this.inMemory;
    const clicks = this.clicks;
    try {
      this.overflow.push({ file: await this.keepWaiting(keep.dir, true), rows });
      for (const click of clicks) this.overflowClicks.add(click.transactionId);
    } catch (error) {
      this.onError(error);
    }
  }

  /** Once writes succeed again, one file of moved traffic a write comes back, so memory stays bounded. */
  private async takeBackOverflow(): Promise<void> {
    const oldest = this.overflow[0];
    if (!oldest) return;
    const traffic = await this.takeBack(oldest.file);
    this.overflow.shift();
    for (const click of traffic.clicks) this.overflowClicks.delete(click.transactionId);
  }

  /** Doubt is settled before every write, so the failed write's clicks were all new to it: any one is a witness, else its mark. */
  private doubt({ clicks, impressions }: TrafficBatch, mark: string | undefined): void {
    for (const click of clicks) this.inDoubt.add(click.transactionId);
    const witness = clicks[0]?.transactionId ?? mark!;
    this.inDoubt.add(witness);
    for (const impression of impressions) this.witnessOf.set(impression, witness);
  }

  /** Leaves out what a failed write stored after all, so its statistics do not move twice. */
  private async settleDoubt(): Promise<void> {
    if (this.inDoubt.size === 0) return;
    const stored = await storedWitnesses(this.store, [...this.inDoubt]);
    for (const witness of stored) {
      if (!isWriteMark(witness)) this.unwritten.delete(witness);
      else if (!this.takenBack?.marks.has(witness)) this.settledMarks.push(witness);
    }
    this.clicks = this.clicks.filter((click) => !stored.has(click.transactionId));
    this.impressions = this.impressions.filter(
      (impression) => !stored.has(this.witnessOf.get(impression) ?? '') && !stored.has(this.markOf.get(impression) ?? ''),
    );
    this.inDoubt.clear();
    this.witnessOf = new WeakMap();
  }

  /** Once per click, however often its batch is retried; a slow or absent answer leaves the local decision. */
  private async share(clicks: ClickRecord[]): Promise<void> {
    const shareWithOthers = this.options.shareWithOthers;
    if (!shareWithOthers) return;
    const pending = clicks.filter((click) => click.outcome === 'counted' && !this.shared.has(click));
    if (pending.length === 0) return;
    for (const click of pending) this.shared.add(click);
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHARE_TIMEOUT_MS)));
    await Promise.race([shareWithOthers(pending).catch(() => {}), giveUp]);
    clearTimeout(timer);
  }
}
