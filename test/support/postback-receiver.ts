import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  url: URL;
  headers: IncomingHttpHeaders;
}

/** A 1x1 GIF, as an image pixel answers. */
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * A partner's postback endpoint on loopback that records what it is sent and answers as told;
 * under /pixel with a GIF, and under /silent not at all until released.
 */
export async function startReceiver() {
  const received: Received[] = [];
  const unanswered: ServerResponse[] = [];
  let answer = 200;
  const server = createServer((request, response) => {
    received.push({ url: new URL(request.url!, 'http://receiver.test'), headers: request.headers });
    if (request.url!.startsWith('/silent')) return void unanswered.push(response);
    if (request.url!.startsWith('/pixel')) return void response.writeHead(answer, { 'content-type': 'image/gif' }).end(GIF);
    response.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'ok' : 'down for maintenance');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    answerWith(status: number) {
      answer = status;
    },
    /** Answers every call held under /silent; returns how many there were. */
    release() {
      const held = unanswered.splice(0);
      for (const response of held) response.writeHead(200).end('ok');
      return held.length;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls until the check holds, or fails after the time limit. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, limitMs = 5_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
