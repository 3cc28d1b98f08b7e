// The activity slot supplier that follows this process's share of an app's limit
// (src/worker/share-slots.ts): never more reserved than the share allows, waiters served in order
// as slots come back or the share grows, and an abandoned reservation rejected as AbortError.
import { ShareSlotSupplier, slotsForShare } from '../../src/worker/share-slots';

const ctx = {} as never;

it('sizes slots to the share: ceil(share) + 1, at least 2, and 2 for a share that is not a number', () => {
  expect([0.5, 1, 6.67, 7, 20].map(slotsForShare)).toEqual([2, 2, 8, 8, 21]);
  expect([0, -1, Number.NaN, Infinity].map(slotsForShare)).toEqual([2, 2, 2, 2]);
});

it('holds no more than the share allows; releases and a grown share serve the waiters in order', async () => {
  let share = 3;
  const s = new ShareSlotSupplier(() => share);
  const ac = new AbortController();
  for (let i = 0; i < 4; i++) await s.reserveSlot(ctx, ac.signal);
  expect(s.reserved).toBe(4);
  expect(s.tryReserveSlot()).toBeNull();
  const order: number[] = [];
  const waiting = [1, 2, 3].map((n) => s.reserveSlot(ctx, ac.signal).then(() => order.push(n)));
  await Promise.resolve();
  expect(order).toEqual([]);
  s.releaseSlot();
  await waiting[0];
  expect(order).toEqual([1]);
  expect(s.reserved).toBe(4);
  // The fleet share grows (a worker left): the next release serves everyone the new size allows.
  share = 5;
  s.releaseSlot();
  await Promise.all(waiting);
  expect(order).toEqual([1, 2, 3]);
  expect(s.reserved).toBe(5);
  // It shrinks: nobody new until enough come back.
  share = 1;
  s.releaseSlot();
  s.releaseSlot();
  expect(s.tryReserveSlot()).toBeNull();
  s.releaseSlot();
  s.releaseSlot();
  expect(s.reserved).toBe(1);
  expect(s.tryReserveSlot()).toEqual({});
});

it('an abandoned reservation is rejected as AbortError and gives its place up', async () => {
  const s = new ShareSlotSupplier(() => 1);
  const ac = new AbortController();
  await s.reserveSlot(ctx, ac.signal);
  await s.reserveSlot(ctx, ac.signal);
  const gone = new AbortController();
  const abandoned = s.reserveSlot(ctx, gone.signal);
  const next = s.reserveSlot(ctx, ac.signal);
  gone.abort();
  await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
  s.releaseSlot();
  await next;
  expect(s.reserved).toBe(2);
  const already = new AbortController();
  already.abort();
  await expect(s.reserveSlot(ctx, already.signal)).rejects.toMatchObject({ name: 'AbortError' });
  expect(s.reserved).toBe(2);
});
