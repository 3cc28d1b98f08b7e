import fc from 'fast-check';
import { DurationError, formatDuration, parseDuration } from '../../src/config/duration';

describe('parseDuration', () => {
  it.each([
    ['72h', 259_200_000],
    ['30m', 1_800_000],
    ['10s', 10_000],
    ['250ms', 250],
    ['30d', 2_592_000_000],
    ['2w', 1_209_600_000],
    ['1d12h', 129_600_000],
    ['1h30m', 5_400_000],
    ['1m500ms', 60_500],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '72', 'h', '1.5h', '-1h', '1 h', '3 days', '1y', '0s', '1h1h', 'PT1H', ' 1h', '1H'])(
    'refuses %j',
    (text) => {
      expect(() => parseDuration(text)).toThrow(DurationError);
    },
  );

  it('names the bad value and the accepted forms', () => {
    expect(() => parseDuration('3 days')).toThrow(/"3 days" is not a duration: use e\.g\. 72h/);
  });

  it('formatDuration is its inverse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 365 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
    expect(formatDuration(259_200_000)).toBe('3d');
  });
});
