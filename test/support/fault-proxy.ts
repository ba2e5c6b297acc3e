import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A HasOffers network with a bad line in front of it, on 127.0.0.1: each call passes, or fails in
 * one of the ways a real network's answers get lost. `after` faults reach the network first, so
 * the call takes effect there and only its answer is lost.
 */
export type Fault = 'pass' | 'drop-after' | 'empty-after' | 'bad-gateway' | 'status-unknown' | 'slow';

export interface FaultProxy {
  url: string;
  /** Every call: its Target::Method and the fault it met. */
  calls: Array<{ method: string; fault: Fault }>;
  close(): Promise<void>;
}

const read = (request: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

/**
 * `uniqueIds: false` makes the network one that does not limit conversions by unique id, as many
 * TUNE networks do not: Conversion::create's data[conversion_unique_id] never reaches it.
 */
export async function startFaultProxy(target: string, faultFor: (method: string) => Fault, { uniqueIds = true } = {}): Promise<FaultProxy> {
  const calls: FaultProxy['calls'] = [];
  const server: Server = createServer(async (request, response) => {
    const params = new URLSearchParams((await read(request)).toString());
    if (!uniqueIds) params.delete('data[conversion_unique_id]');
    const body = params.toString();
    const method = `${params.get('Target')}::${params.get('Method')}`;
    const fault = faultFor(method);
    calls.push({ method, fault });
    if (fault === 'bad-gateway') return void response.writeHead(502).end('Bad Gateway');
    if (fault === 'status-unknown') return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"response":{"status":-1,"data":"","errors":[]}}');
    if (fault === 'slow') await new Promise((resolve) => setTimeout(resolve, 200));
    const answer = await fetch(`${target}${request.url}`, { method: 'POST', headers: { 'content-type': String(request.headers['content-type']) }, body });
    const text = await answer.text();
    if (fault === 'drop-after') return void request.socket.destroy();
    if (fault === 'empty-after') return void response.writeHead(200, { 'content-type': 'application/json' }).end('');
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
