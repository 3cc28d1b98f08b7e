// Workflow time. Inside Temporal's sandbox `Date` is the deterministic workflow clock (the time of
// the current workflow task, identical on replay), never the machine's wall clock. Wall-clock
// reads elsewhere in src/workflows are banned by lint; this is the one sanctioned place.
export function nowMs(): number {
  return new Date().getTime();
}

export function nowIso(): string {
  return new Date(nowMs()).toISOString();
}
