// One Ctrl-C through `npm start` arrives several times at once; only a later one forces.
import { interruptGate } from '../../src/cli/signals';

function gate(windowMs?: number) {
  let t = 0;
  const calls: string[] = [];
  const handle = interruptGate({
    ...(windowMs !== undefined ? { windowMs } : {}),
    now: () => t,
    onFirst: (s) => calls.push(`first:${s}`),
    onRepeat: (s) => calls.push(`repeat:${s}`),
    onForce: (s) => calls.push(`force:${s}`),
  });
  return { calls, at: (ms: number, s: NodeJS.Signals = 'SIGINT') => ((t = ms), handle(s)) };
}

it('the same keypress delivered three times within milliseconds stops once, in order', () => {
  const g = gate();
  g.at(0);
  g.at(2);
  g.at(15, 'SIGINT');
  expect(g.calls).toEqual(['first:SIGINT', 'repeat:SIGINT', 'repeat:SIGINT']);
});

it('a deliberate second Ctrl-C after the window forces', () => {
  const g = gate();
  g.at(0);
  g.at(5);
  g.at(2500);
  expect(g.calls).toEqual(['first:SIGINT', 'repeat:SIGINT', 'force:SIGINT']);
});

it('the window is 1 s by default and any of SIGINT/SIGTERM/SIGHUP counts', () => {
  const g = gate();
  g.at(0, 'SIGTERM');
  g.at(999, 'SIGINT');
  g.at(1000, 'SIGHUP');
  expect(g.calls).toEqual(['first:SIGTERM', 'repeat:SIGINT', 'force:SIGHUP']);
  const h = gate(100);
  h.at(0);
  h.at(100);
  expect(h.calls).toEqual(['first:SIGINT', 'force:SIGINT']);
});
