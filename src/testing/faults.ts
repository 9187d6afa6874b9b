/**
 * Fault injection for the emulator: the ways a real service connection ends badly, on demand, so that reconnect,
 * replay and timeout code can be tested on real sockets.
 *
 * It's like a chaos proxy (toxiproxy), but inside the emulator: a fault fires at a protocol point (just before the
 * n-th event of a type, client or server), after some time in a session, or at seeded random events, and acts on
 * that session's socket:
 *
 * ```text
 * 'drop'   the TCP socket is destroyed, no close frame        (the client sees 1006)
 * 'close'  a close frame 1011 "Internal server error"         (the client sees 1011)
 * 'stall'  nothing more is sent or read, the socket stays open (no data, no close, no pong)
 * ```
 *
 * and handshakes can be refused: the next N get an HTTP 429 (with `retry-after`) or a 5xx, before any upgrade.
 */
/** What a fault does to the session it hits. */
export type FaultAction = 'drop' | 'close' | 'stall';

/**
 * One fault. `times` (default 1) is how often it fires in all, across the emulator's sessions; after that it is
 * spent.
 *
 * - `atEvent`: just before the `nth` (default 1) event of this type, counted across sessions from the moment the
 *   fault is installed; a server event type (`'response.output_audio.delta'`, `'response.done'` …) is caught
 *   before it is sent, a client event type (`'input_audio_buffer.commit'` …) before it is handled. With `times`
 *   above 1 it fires again at every `nth` further occurrence.
 * - `afterMs`: that many milliseconds after a session opened (or after the fault was installed, for sessions
 *   already open); once per session until spent.
 * - `random`: every event (sent or received) of every session is a point; at each, the fault fires with
 *   `probability`, drawn from a generator seeded with `seed`, so a run is repeatable.
 */
export type Fault =
  | {
      readonly action: FaultAction;
      readonly atEvent: string;
      readonly nth?: number | undefined;
      readonly times?: number | undefined;
    }
  | { readonly action: FaultAction; readonly afterMs: number; readonly times?: number }
  | {
      readonly action: FaultAction;
      readonly random: { readonly seed: number; readonly probability: number };
      readonly times?: number | undefined;
    };

/** The HTTP statuses a refused handshake can get: rate limited, or a server error. */
export type RefusalStatus = 429 | 500 | 502 | 503;

/** What fired: the action, what triggered it, on which session (numbered from 0 in order of opening). */
export interface FaultRecord {
  readonly action: FaultAction | 'refuse';
  readonly trigger: 'event' | 'time' | 'random' | 'now' | 'handshake';
  /** The event type at which it fired (`event` and `random` triggers). */
  readonly eventType?: string | undefined;
  /** The session it hit (not for refused handshakes). */
  readonly session?: number | undefined;
  /** The HTTP status of a refused handshake. */
  readonly status?: RefusalStatus | undefined;
}

/**
 * The faults of one emulator (`emulator.faults`): install faults, refuse handshakes, or act on every open socket
 * now. Every method returns at once; the record of what fired is `log()`.
 */
export interface EmulatorFaults {
  /** Installs a fault (see {@link Fault}). */
  inject(fault: Fault): void;
  /** Refuses the next `count` handshakes with `status` (default 429, with `retry-after: 1`). */
  refuseHandshakes(count: number, status?: RefusalStatus): void;
  /** Acts on every open session now. */
  dropAll(): void;
  closeAll(): void;
  stallAll(): void;
  /** Removes every installed fault and pending refusal (what fired stays in the log). */
  clear(): void;
  /** What fired so far, in order (the last 1000). */
  log(): readonly FaultRecord[];
}

/** The fault options of `startEmulator`. */
export interface FaultOptions {
  /** Faults installed at start. Default: none. */
  readonly faults?: readonly Fault[] | undefined;
  /** Handshakes refused at start: the first `count` get `status` (default 429). Default: none. */
  readonly refuseHandshakes?: { readonly count: number; readonly status?: RefusalStatus } | undefined;
}

// -------------------------------------------------------------------------------------
// the plan
// -------------------------------------------------------------------------------------

/** A session as the plan sees it: it can be hit. */
export interface FaultTarget {
  readonly index: number;
  hit(action: FaultAction): void;
}

interface Installed {
  readonly fault: Fault;
  left: number;
  seen: number;
  readonly next?: () => number;
  /** afterMs timers, per session. */
  readonly timers: Map<FaultTarget, ReturnType<typeof setTimeout>>;
}

const MAX_LOG = 1000;

/** The emulator's fault state: what is installed, what fired. Decides at each point; the session acts. */
export class FaultPlan implements EmulatorFaults {
  private installed: Installed[] = [];
  private refusals: { left: number; status: RefusalStatus } | undefined;
  private readonly records: FaultRecord[] = [];
  private readonly targets = new Set<FaultTarget>();

  constructor(options: FaultOptions = {}) {
    for (const f of options.faults ?? []) this.inject(f);
    if (options.refuseHandshakes)
      this.refuseHandshakes(options.refuseHandshakes.count, options.refuseHandshakes.status);
  }

  inject(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`Fault times must be a whole number ≥ 1.`);
    if ('atEvent' in fault && fault.nth !== undefined && (!Number.isInteger(fault.nth) || fault.nth < 1))
      throw new RangeError(`Fault nth must be a whole number ≥ 1.`);
    if ('random' in fault && !(fault.random.probability >= 0 && fault.random.probability <= 1))
      throw new RangeError(`Fault probability must be between 0 and 1.`);
    const entry: Installed = {
      fault,
      left: times,
      seen: 0,
      timers: new Map(),
      ...('random' in fault ? { next: seeded(fault.random.seed) } : {}),
    };
    this.installed.push(entry);
    if ('afterMs' in fault) for (const t of this.targets) this.arm(entry, t);
  }

  refuseHandshakes(count: number, status: RefusalStatus = 429): void {
    if (!Number.isInteger(count) || count < 0)
      throw new RangeError('Refused handshakes: a whole number ≥ 0.');
    this.refusals = count === 0 ? undefined : { left: count, status };
  }

  dropAll(): void {
    this.now('drop');
  }

  closeAll(): void {
    this.now('close');
  }

  stallAll(): void {
    this.now('stall');
  }

  clear(): void {
    for (const entry of this.installed) this.disarm(entry);
    this.installed = [];
    this.refusals = undefined;
  }

  log(): readonly FaultRecord[] {
    return [...this.records];
  }

  // -- what the emulator calls ------------------------------------------------------

  /** A handshake arrives: the status to refuse it with, or undefined. */
  refusal(): RefusalStatus | undefined {
    const r = this.refusals;
    if (!r) return undefined;
    if (--r.left === 0) this.refusals = undefined;
    this.record({ action: 'refuse', trigger: 'handshake', status: r.status });
    return r.status;
  }

  /** A session opened. */
  opened(target: FaultTarget): void {
    this.targets.add(target);
    for (const entry of this.installed) if ('afterMs' in entry.fault) this.arm(entry, target);
  }

  /** A session ended: its timers go. */
  closed(target: FaultTarget): void {
    this.targets.delete(target);
    for (const entry of this.installed) {
      const timer = entry.timers.get(target);
      if (timer !== undefined) clearTimeout(timer);
      entry.timers.delete(target);
    }
  }

  /** An event of `type` is about to be sent or handled by `target`: the action to take instead, or undefined. */
  at(target: FaultTarget, type: string): FaultAction | undefined {
    for (const entry of this.installed) {
      const f = entry.fault;
      let fire = false;
      if ('atEvent' in f) {
        if (f.atEvent !== type) continue;
        fire = ++entry.seen % (f.nth ?? 1) === 0;
        if (fire) this.record({ action: f.action, trigger: 'event', eventType: type, session: target.index });
      } else if ('random' in f) {
        fire = entry.next!() < f.random.probability;
        if (fire)
          this.record({ action: f.action, trigger: 'random', eventType: type, session: target.index });
      }
      if (!fire) continue;
      this.spend(entry);
      return f.action;
    }
    return undefined;
  }

  /** Stops every timer (the emulator closes). */
  dispose(): void {
    for (const entry of this.installed) this.disarm(entry);
    this.targets.clear();
  }

  // -- utils ------------------------------------------------------------------------

  private now(action: FaultAction): void {
    for (const t of [...this.targets]) {
      this.record({ action, trigger: 'now', session: t.index });
      t.hit(action);
    }
  }

  private arm(entry: Installed, target: FaultTarget): void {
    const f = entry.fault;
    if (!('afterMs' in f) || entry.left === 0) return;
    const timer = setTimeout(() => {
      entry.timers.delete(target);
      if (entry.left === 0 || !this.targets.has(target)) return;
      this.spend(entry);
      this.record({ action: f.action, trigger: 'time', session: target.index });
      target.hit(f.action);
    }, f.afterMs);
    entry.timers.set(target, timer);
  }

  private disarm(entry: Installed): void {
    for (const timer of entry.timers.values()) clearTimeout(timer);
    entry.timers.clear();
  }

  private spend(entry: Installed): void {
    if (--entry.left > 0) return;
    this.disarm(entry);
    this.installed = this.installed.filter((e) => e !== entry);
  }

  private record(r: FaultRecord): void {
    this.records.push(r);
    if (this.records.length > MAX_LOG) this.records.shift();
  }
}

/** mulberry32: a small, fast, seedable generator of numbers in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The body of a refused handshake, in Azure's style. */
export function refusalBody(status: RefusalStatus): object {
  return status === 429
    ? {
        error: {
          code: '429',
          message:
            'Requests to the Realtime API have exceeded the rate limit of your current tier. Please retry after 1 second.',
        },
      }
    : { error: { code: String(status), message: 'The server had an error while processing your request.' } };
}
