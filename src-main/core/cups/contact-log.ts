/**
 * The last CUPS contact per gateway (SPEC §3.6 "Record per gateway"), kept in memory and written
 * behind to `cups_contacts`. It is telemetry, not an acknowledged write (core README, "Durability"):
 * - {@link ContactLog.record} (the CUPS hot path) only touches memory. A contact that differs from
 *   the stored one in anything but its time (address, outcome, station, model, package, URIs,
 *   CRCs, keys), or whose gateway's stored contact is unknown, is due at once; one that differs
 *   only in its time is due when the stored time is `flushIntervalMs` old. A steadily polling
 *   gateway is so written at most once per interval instead of once per poll.
 * - A timer writes every due contact in one relaxed-durability transaction, at most once per
 *   `tickMs`; {@link ContactLog.close} writes everything still pending.
 * - {@link ContactLog.latest} is the newest contact of a gateway seen by this process: readers
 *   (`info`) overlay it on what the store holds, so they never see an older contact than the
 *   station's last poll.
 * A crash loses at most the contacts of the last tick and the time-only updates of the last
 * interval; the store then shows an older contact time, never a wrong one.
 */
import type { CoreConfig } from '../config';
import type { Clock, Logger, Store } from '../ports';
import { saveContact, type ContactRecord } from './contacts';

/** One gateway's contacts. */
interface Entry {
  /** the newest contact */
  latest: ContactRecord;
  /** the contact the store holds, as this process wrote it; undefined = unknown */
  stored: ContactRecord | undefined;
  /** `stored.at` in clock milliseconds */
  storedAt: number;
  /** when `latest` must be written (clock ms); undefined = nothing to write */
  dueAt: number | undefined;
}

/** How many pending entries eviction steps over before giving up (pending ones are never evicted). */
const EVICTION_SCAN = 16;

/** True when two contacts differ at most in their time. */
export function sameButTime(a: ContactRecord, b: ContactRecord): boolean {
  if (
    a.address !== b.address ||
    a.outcome !== b.outcome ||
    a.station !== b.station ||
    a.model !== b.model ||
    a.package !== b.package ||
    a.cupsUri !== b.cupsUri ||
    a.tcUri !== b.tcUri ||
    a.cupsCredCrc !== b.cupsCredCrc ||
    a.tcCredCrc !== b.tcCredCrc ||
    a.credential !== b.credential ||
    a.tokenGeneration !== b.tokenGeneration ||
    a.keys.length !== b.keys.length
  ) {
    return false;
  }
  for (let i = 0; i < a.keys.length; i++) if (a.keys[i] !== b.keys[i]) return false;
  return true;
}

/** In-memory last contacts with write-behind to the store (see the module comment). */
export class ContactLog {
  /** gateway (16 hex) → entry, least recently recorded first */
  readonly #entries = new Map<string, Entry>();
  /** the key inserted last (already the most recently used): moving it again is skipped */
  #newest: string | undefined;
  /** gateways whose `latest` is not yet written */
  readonly #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #closed = false;
  /** wall-clock ms before which no timed write is tried again (after a failed one) */
  #retryAt = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: CoreConfig['cupsContacts'] & { shared?: boolean },
  ) {}

  /** Records the contact of `hex` made at `atMs` (clock ms; `contact.at` is its ISO text). */
  record(hex: string, contact: ContactRecord, atMs: number): void {
    if (this.#closed) return;
    let e = this.#entries.get(hex);
    if (e === undefined) {
      e = { latest: contact, stored: undefined, storedAt: 0, dueAt: undefined };
      this.#entries.set(hex, e);
      this.#newest = hex;
    } else {
      if (this.#newest !== hex) {
        // delete + set leaves a deleted slot in the Map: not done on every poll of the same gateway
        this.#entries.delete(hex);
        this.#entries.set(hex, e);
        this.#newest = hex;
      }
      e.latest = contact;
    }
    const due = this.#dueAt(e, atMs);
    e.dueAt = e.dueAt === undefined ? due : Math.min(e.dueAt, due);
    this.#pending.add(hex);
    this.#trim();
    this.#schedule();
  }

  /**
   * The newest contact of `hex` this process has seen (possibly not yet in the store); always
   * undefined with a shared store, where readers must see what every instance sees.
   */
  latest(hex: string): ContactRecord | undefined {
    if (this.options.shared === true) return undefined;
    return this.#entries.get(hex)?.latest;
  }

  /**
   * Forgets `hex` (its stored contact is being deleted): call inside the deleting transaction, so
   * no write of an older contact can follow the delete.
   */
  forget(hex: string): void {
    this.#entries.delete(hex);
    this.#pending.delete(hex);
  }

  /** Contacts not yet written. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Writes every pending contact now (one relaxed transaction); failures are logged. */
  async flush(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
    const run = this.#write(true);
    this.#writing = run;
    try {
      await run;
    } finally {
      if (this.#writing === run) this.#writing = undefined;
    }
  }

  /** Stops the timer and writes what is pending (before the store closes). */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
    this.#closed = true;
  }

  #dueAt(e: Entry, now: number): number {
    return e.stored !== undefined && sameButTime(e.stored, e.latest)
      ? e.storedAt + this.options.flushIntervalMs
      : now;
  }

  /** Evicts the least recently recorded entries with nothing to write beyond the configured count. */
  #trim(): void {
    let over = this.#entries.size - this.options.entries;
    if (over <= 0) return;
    let skipped = 0;
    for (const [hex, e] of this.#entries) {
      if (over <= 0 || skipped >= EVICTION_SCAN) break;
      if (e.dueAt !== undefined) {
        skipped++;
        continue;
      }
      this.#entries.delete(hex);
      over--;
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed || this.#pending.size === 0) return;
    const delay = Math.max(this.options.tickMs, this.#retryAt - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#tick();
    }, delay);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#writing === undefined && !this.#closed) {
      const run = this.#write(false);
      this.#writing = run;
      try {
        await run;
      } finally {
        if (this.#writing === run) this.#writing = undefined;
      }
    }
    this.#schedule();
  }

  /** True when a pending contact is due (a tick with none opens no transaction). */
  #anyDue(): boolean {
    const now = this.clock.now();
    for (const hex of this.#pending) {
      const due = this.#entries.get(hex)?.dueAt;
      if (due === undefined || due <= now) return true;
    }
    return false;
  }

  /** Writes the due contacts (all pending ones with `all`) in one relaxed transaction. */
  async #write(all: boolean): Promise<void> {
    if (this.#pending.size === 0 || (!all && !this.#anyDue())) return;
    const written: { hex: string; entry: Entry; contact: ContactRecord }[] = [];
    try {
      await this.store.transaction(
        async (tx) => {
          // chosen inside the transaction: a delete that ran before it has already forgotten its gateway
          const now = this.clock.now();
          for (const hex of [...this.#pending]) {
            const entry = this.#entries.get(hex);
            if (entry === undefined || entry.dueAt === undefined) {
              this.#pending.delete(hex);
              continue;
            }
            if (!all && entry.dueAt > now) continue;
            written.push({ hex, entry, contact: entry.latest });
          }
          for (const w of written) await saveContact(tx, w.hex, w.contact);
        },
        { durability: 'relaxed' },
      );
    } catch (e) {
      this.#retryAt = Date.now() + this.options.flushIntervalMs;
      this.logger.warn(
        { err: e instanceof Error ? e.message : String(e), pending: this.#pending.size },
        'CUPS contacts not written; retrying later',
      );
      return;
    }
    this.#retryAt = 0;
    const now = this.clock.now();
    for (const { hex, entry, contact } of written) {
      if (this.#entries.get(hex) !== entry) continue; // forgotten meanwhile
      entry.stored = contact;
      entry.storedAt = Date.parse(contact.at);
      if (entry.latest === contact) {
        entry.dueAt = undefined;
        this.#pending.delete(hex);
      } else {
        entry.dueAt = this.#dueAt(entry, now); // a newer poll arrived while writing
      }
    }
    this.#trim();
  }
}
