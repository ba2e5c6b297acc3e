import { PrivateDestinationError, publicAddressLookup, refuseDestination } from './destination-guard.ts';
import { callEndpoint } from './endpoint-call.ts';
import { signDelivery } from './postback-macros.ts';

export interface PostbackCallOptions {
  allowPrivateDestinations: boolean;
  timeoutMs: number;
}

export interface PostbackCall {
  statusCode: number | null;
  /** The first characters of the answer's body. */
  excerpt: string | null;
  /** Why the call failed: no 2xx answer, no answer, or a destination refused. */
  error: string | null;
  /** A failure trying again cannot mend: the destination is private. */
  permanent: boolean;
  latencyMs: number;
}

const EXCERPT_LENGTH = 500;

/** One call of a partner's postback URL: refused before it leaves for a private destination, signed when the postback has a secret. */
export async function callPostback(url: string, secret: string | null, options: PostbackCallOptions): Promise<PostbackCall> {
  const started = performance.now();
  const call: PostbackCall = { statusCode: null, excerpt: null, error: refuseDestination(url, options.allowPrivateDestinations) ?? null, permanent: false, latencyMs: 0 };
  call.permanent = call.error !== null;
  if (!call.error) {
    try {
      const headers: Record<string, string> = { 'user-agent': 'Partnerline-Postback/1.0' };
      if (secret) headers['x-partnerline-signature'] = signDelivery(secret, url, Math.floor(Date.now() / 1000));
      const answer = await callEndpoint(url, {
        headers,
        timeoutMs: options.timeoutMs,
        excerptLength: EXCERPT_LENGTH,
        lookup: options.allowPrivateDestinations ? undefined : publicAddressLookup,
      });
      call.statusCode = answer.statusCode;
      call.excerpt = answer.excerpt;
      if (answer.statusCode < 200 || answer.statusCode >= 300) call.error = `answered HTTP ${answer.statusCode}`;
    } catch (failure) {
      call.error = (failure as Error).message;
      call.permanent = failure instanceof PrivateDestinationError;
    }
  }
  call.latencyMs = Math.round(performance.now() - started);
  return call;
}
