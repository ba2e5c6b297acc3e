import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { publicAddressLookup } from '../../src/postbacks/destination-guard.ts';
import { callEndpoint } from '../../src/postbacks/endpoint-call.ts';

let base = '';
const server = createServer((request, response) => {
  if (request.url === '/silent') return; // never answers
  if (request.url === '/moved') return void response.writeHead(302, { location: '/elsewhere' }).end('see elsewhere');
  response.writeHead(200).end('x'.repeat(2_000));
});
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const options = { headers: {}, timeoutMs: 150, excerptLength: 500 };
/** For endpoints that answer: time enough on a busy machine. */
const answering = { ...options, timeoutMs: 5_000 };

test('an endpoint call keeps only the start of a long answer and does not follow redirects', async () => {
  assert.deepEqual(await callEndpoint(`${base}/long`, answering), { statusCode: 200, excerpt: 'x'.repeat(500) });
  assert.deepEqual(await callEndpoint(`${base}/moved`, answering), { statusCode: 302, excerpt: 'see elsewhere' });
});

test('an endpoint that does not answer in time fails with the time it was given', async () => {
  await assert.rejects(callEndpoint(`${base}/silent`, options), { message: 'no answer within 150 ms' });
});

test('a host name that resolves to a private address is refused before connecting', async () => {
  await assert.rejects(callEndpoint(`${base.replace('127.0.0.1', 'localhost')}/long`, { ...answering, lookup: publicAddressLookup }), {
    message: /host localhost resolves to the private or loopback address/,
  });
});
