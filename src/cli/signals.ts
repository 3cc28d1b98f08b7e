// Ctrl-C that arrives more than once. Through `npm start` one keypress reaches `scimflow dev`
// twice or three times within milliseconds: the terminal signals the whole foreground process group,
// and npm and scripts/bootstrap.mjs each forward it to their child as well. So: the first signal
// starts an orderly shutdown, a repeat within `windowMs` is the same keypress and is ignored, and
// only a later one (a person pressing Ctrl-C again on purpose) forces the exit.

export interface InterruptGateOptions {
  /** Repeats this close to the first signal are the same keypress. Default 1000 ms. */
  windowMs?: number;
  /** The first signal: start stopping. */
  onFirst(signal: NodeJS.Signals): void;
  /** A deliberate second signal while still stopping: stop now. */
  onForce(signal: NodeJS.Signals): void;
  /** A repeat inside the window (ignored). */
  onRepeat?(signal: NodeJS.Signals): void;
  now?: () => number;
}

export const SAME_KEYPRESS_WINDOW_MS = 1000;

/** A handler for process.on('SIGINT' | 'SIGTERM' | 'SIGHUP', …). */
export function interruptGate(opts: InterruptGateOptions): (signal: NodeJS.Signals) => void {
  const windowMs = opts.windowMs ?? SAME_KEYPRESS_WINDOW_MS;
  const now = opts.now ?? Date.now;
  let first: number | undefined;
  return (signal) => {
    const t = now();
    if (first === undefined) {
      first = t;
      opts.onFirst(signal);
    } else if (t - first < windowMs) {
      opts.onRepeat?.(signal);
    } else {
      opts.onForce(signal);
    }
  };
}

/** Installs the gate for SIGINT, SIGTERM and SIGHUP; returns a function that removes it. */
export function onInterrupt(opts: InterruptGateOptions): () => void {
  const handler = interruptGate(opts);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
