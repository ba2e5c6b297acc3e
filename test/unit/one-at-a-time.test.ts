import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneAtATime } from '../../src/shared/one-at-a-time.ts';

/** A run the test finishes by hand, recording what each run saw when it began. */
function manualWork() {
  const started: number[] = [];
  const finishers: Array<() => void> = [];
  let running = 0;
  let overlapped = false;
  let value = 0;
  const work = oneAtATime(async () => {
    running += 1;
    overlapped ||= running > 1;
    started.push(value);
    await new Promise<void>((resolve) => finishers.push(resolve));
    running -= 1;
  });
  return {
    work,
    started,
    set: (next: number) => (value = next),
    finishNext: async () => {
      finishers.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    },
    overlapped: () => overlapped,
  };
}

test('a call made while a run is under way is answered by a run that began after it, shared by all who waited', async () => {
  const subject = manualWork();
  const answered: string[] = [];
  const first = subject.work().then(() => answered.push('first'));
  subject.set(1);
  const second = subject.work().then(() => answered.push('second'));
  const third = subject.work().then(() => answered.push('third'));
  await subject.finishNext();
  assert.deepEqual(answered, ['first'], 'the calls that came during the first run wait for the next');
  assert.deepEqual(subject.started, [0, 1], 'the next run began after the change');
  await subject.finishNext();
  await Promise.all([first, second, third]);
  assert.deepEqual(answered, ['first', 'second', 'third']);
  assert.deepEqual(subject.started, [0, 1], 'one run served both waiting calls');
  assert.equal(subject.overlapped(), false);
});

test('a failed run does not stop the next one', async () => {
  let runs = 0;
  const work = oneAtATime(async () => {
    const run = (runs += 1);
    await new Promise((resolve) => setImmediate(resolve));
    if (run === 1) throw new Error('store unavailable');
  });
  const first = work();
  const second = work();
  await assert.rejects(first, /store unavailable/);
  await second;
  assert.equal(runs, 2);
});
