import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { matchByName } from '../../src/hasoffers-bridge/hasoffers-links.ts';
import { startTestServer, v1Api, type TestServer } from '../support/test-server.ts';

describe('connecting a HasOffers network: its token, and which offers and partners are which there', () => {
  let here: TestServer;
  let there: TestServer;
  let api: ReturnType<typeof v1Api>;
  let token: string;
  before(async () => {
    // The external network is a second Partnerline on its own store, answering the HasOffers API.
    [here, there] = await Promise.all([startTestServer(), startTestServer()]);
    api = v1Api(here);
    token = (await v1Api(there)('POST', '/keys', { name: 'Sync from the other network' })).body.key;
  });
  after(() => Promise.all([here?.close(), there?.close()]));

  const connect = (body: Record<string, unknown>) => api('POST', '/hasoffers-networks', { name: 'Legacy TUNE', apiUrl: there.url, networkId: 'partnerline', networkToken: token, ...body });

  test('a token is tried before it is kept, and never shown again', async () => {
    for (const wrong of [{ networkToken: 'not-the-token' }, { networkId: 'another' }]) {
      const refused = await connect(wrong);
      assert.equal(refused.status, 400, refused.text);
      assert.match(refused.body.error, /^networkToken: the HasOffers network did not accept it/);
    }
    const unreachable = await connect({ apiUrl: 'http://127.0.0.1:1' });
    assert.equal(unreachable.status, 502);
    assert.match(unreachable.body.error, /could not be reached/);
    assert.equal((await connect({ apiUrl: 'ftp://example.com' })).status, 400);

    const made = await connect({});
    assert.equal(made.status, 201, made.text);
    assert.equal(made.body.tokenEnding, token.slice(-4));
    for (const reply of [made, await api('GET', `/hasoffers-networks/${made.body.id}`), await api('GET', '/hasoffers-networks')]) {
      assert.ok(!reply.text.includes(token), 'the token is not in any answer');
    }
    assert.equal((await connect({ name: ' legacy tune ' })).status, 409, 'names are unique in any case');
    assert.equal((await api('GET', '/hasoffers-networks', undefined, here.keys.trailblazer)).status, 403);
    assert.equal((await api('POST', `/hasoffers-networks/${made.body.id}/link-by-name`, undefined, here.keys.acme)).status, 403);
    assert.equal((await api('PATCH', `/hasoffers-networks/${made.body.id}`, { networkToken: 'wrong-token-1' })).status, 400, 'a new token is tried too');
    assert.equal((await api('GET', `/hasoffers-networks/${made.body.id}`)).body.tokenEnding, token.slice(-4), 'and a refused one is not kept');
    const renamed = await api('PATCH', `/hasoffers-networks/${made.body.id}`, { name: 'Old TUNE' });
    assert.deepEqual([renamed.status, renamed.body.name], [200, 'Old TUNE']);
  });

  test('offers and partners link by name where one record on each side has it, and by hand; the unlinked are listed', async () => {
    const network = (await api('GET', '/hasoffers-networks')).body[0].id;
    const onlyHere = (await api('POST', '/partners', { name: 'Only Here Media' })).body.id;
    await api('POST', '/partners', { name: 'Twin Media' });
    const thereApi = v1Api(there);
    for (const name of ['Twin Media', 'twin  media']) await thereApi('POST', '/partners', { name });
    const linked = await api('POST', `/hasoffers-networks/${network}/link-by-name`);
    assert.equal(linked.status, 200, linked.text);
    const thereOffers = (await thereApi('GET', '/offers?perPage=500')).body.items as Array<{ id: number; name: string }>;
    for (const offer of linked.body.offers) {
      assert.equal(offer.externalOfferId, thereOffers.find((other) => other.name === offer.name)?.id ?? null, offer.name);
    }
    const partner = (name: string) => linked.body.partners.find((row: { name: string }) => row.name === name);
    const thereNames = ((await thereApi('GET', '/partners?perPage=500')).body.items as Array<{ id: number; name: string }>).filter((row) => !/twin/i.test(row.name));
    for (const row of thereNames) assert.equal(partner(row.name)?.externalAffiliateId, row.id, `${row.name} is linked to its namesake`);
    assert.equal(partner('Only Here Media').externalAffiliateId, null);
    assert.equal(partner('Twin Media').externalAffiliateId, null, 'two records there share the name');
    assert.deepEqual(linked.body.linkedNow, { offers: thereOffers.length, partners: thereNames.length });

    const again = await api('POST', `/hasoffers-networks/${network}/link-by-name`);
    assert.deepEqual(again.body.linkedNow, { offers: 0, partners: 0 }, 'linking again changes nothing');

    const takenId = linked.body.partners.find((row: { externalAffiliateId: number | null }) => row.externalAffiliateId !== null).externalAffiliateId;
    const taken = await api('PUT', `/hasoffers-networks/${network}/partners/${onlyHere}`, { externalAffiliateId: takenId });
    assert.equal(taken.status, 409);
    const byHand = await api('PUT', `/hasoffers-networks/${network}/partners/${onlyHere}`, { externalAffiliateId: 4242 });
    assert.equal(byHand.status, 200, byHand.text);
    assert.equal(byHand.body.partners.find((row: { partnerId: number }) => row.partnerId === onlyHere).externalAffiliateId, 4242);
    assert.equal((await api('PUT', `/hasoffers-networks/${network}/partners/${onlyHere}`, { externalAffiliateId: 4242 })).status, 200, 'safe to send again');
    const unlinked = await api('PUT', `/hasoffers-networks/${network}/partners/${onlyHere}`, { externalAffiliateId: null });
    assert.equal(unlinked.body.partners.find((row: { partnerId: number }) => row.partnerId === onlyHere).externalAffiliateId, null);
    assert.equal((await api('PUT', `/hasoffers-networks/${network}/offers/999999`, { externalOfferId: 1 })).status, 404);
    assert.equal((await api('PUT', `/hasoffers-networks/${network}/offers/1`, { externalOfferId: 0 })).status, 400);
    assert.equal((await api('GET', `/hasoffers-networks/${network}`)).body.offersLinked, thereOffers.length);

    assert.equal((await api('DELETE', `/hasoffers-networks/${network}`)).status, 204);
    assert.equal((await api('GET', `/hasoffers-networks/${network}/links`)).status, 404);
  });

  test('matching by name pairs only names that one record on each side holds, and never a counterpart already taken', () => {
    const local = [
      { id: 1, name: 'Acme ', linked: false },
      { id: 2, name: 'Bright', linked: false },
      { id: 3, name: 'Twin', linked: false },
      { id: 4, name: 'Done', linked: true },
      { id: 5, name: 'Taken', linked: false },
      { id: 6, name: 'pair', linked: false },
      { id: 7, name: 'Pair', linked: false },
    ];
    const external = [
      { id: 10, name: 'ACME' },
      { id: 11, name: 'twin' },
      { id: 12, name: 'Twin' },
      { id: 13, name: 'Done' },
      { id: 14, name: 'Taken' },
      { id: 15, name: 'Pair' },
    ];
    assert.deepEqual(matchByName(local, external, new Set([14])), [[1, 10]]);
  });
});
