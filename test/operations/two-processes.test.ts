import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countedClick, startTestServer } from '../support/test-server.ts';

describe('two processes on one PostgreSQL', () => {
  const skip = process.env.DATABASE_URL ? false : 'two processes share a store only on PostgreSQL (DATABASE_URL)';

  test('a conversion that reaches one process while its click still waits in the other finds it', { skip }, async () => {
    // The first process holds its clicks half a second before writing them.
    const first = await startTestServer({ TRUST_PROXY: 'true', CLICK_BATCH_MS: '500' });
    const second = await startTestServer({ TRUST_PROXY: 'true' }, {}, first.location);
    try {
      const [, newsletter] = first.demo.offerIds as [number, number];
      const transactionId = await countedClick(first, newsletter, first.demo.partnerIds[0]!);
      const reply = await second.request('GET', `/aff_lsr?transaction_id=${transactionId}&adv_sub=ACROSS-1&amount=5`);
      assert.equal(reply.text, 'success=true;', reply.headers.get('x-partnerline-reason') ?? '');
      // Made-up ids of our shape, minutes old or from the far future, are refused at once rather than waited for.
      for (const made of [Date.now() - 300_000, 0xffffffffffff]) {
        const id = `10${made.toString(16).padStart(12, '0')}${'0'.repeat(16)}`;
        const started = Date.now();
        assert.equal((await second.request('GET', `/aff_lsr?transaction_id=${id}&amount=5`)).text, 'success=false;');
        assert.ok(Date.now() - started < 1_000, id);
      }
    } finally {
      await second.close();
      await first.close();
    }
  });
});
