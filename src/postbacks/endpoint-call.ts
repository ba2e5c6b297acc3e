import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { withoutNul } from '../shared/nul-characters.ts';

export interface EndpointAnswer {
  statusCode: number;
  /** The first characters of the answer's body. */
  excerpt: string;
}

export interface EndpointCallOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  excerptLength: number;
  /** Resolves the host for the connection; may refuse it. */
  lookup?: LookupFunction;
}

/** One GET to a partner's endpoint; redirects are not followed, and only the body's start is read. */
export function callEndpoint(url: string, options: EndpointCallOptions): Promise<EndpointAnswer> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const signal = AbortSignal.timeout(options.timeoutMs);
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => reject(signal.aborted ? new Error(`no answer within ${options.timeoutMs} ms`) : error);
    const request = client.get(target, { headers: options.headers, lookup: options.lookup, signal }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        if (body.length >= options.excerptLength) response.destroy();
      });
      response.on('error', fail);
      // An image pixel answers a GIF, whose NUL bytes the attempt log could not store.
      response.on('close', () => resolve({ statusCode: response.statusCode!, excerpt: withoutNul(body.slice(0, options.excerptLength)) }));
    });
    request.on('error', fail);
  });
}
