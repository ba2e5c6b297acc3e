/** The HasOffers v3 response envelope: HTTP 200 always, status 1 or -1, the request echoed. */

export type Params = Record<string, unknown>;

export class HasOffersError extends Error {
  readonly extra: Record<string, unknown>;
  constructor(publicMessage: string, extra: Record<string, unknown> = {}) {
    super(publicMessage);
    this.extra = extra;
  }
}

/** A create/update validation failure: HasOffers adds err_code, err_msg and attribute_name. */
export function invalidAttribute(action: string, attribute: string, message: string): HasOffersError {
  return new HasOffersError(action, { err_code: 3, err_msg: message, attribute_name: attribute });
}

export const missingArgument = (name: string) => new HasOffersError(`Missing required argument: ${name}`);
export const unknownField = (name: string) => new HasOffersError(`Field '${name}' does not exist or is not allowed to be used.`);

/** Target, Format, Service, Version first, then every parameter as received (scalars stay strings). */
export function requestEcho(target: string, method: string, params: Params, version: string): Params {
  const { Target: _target, Format, Service, Version, Method: _method, ...rest } = params;
  return {
    Target: target,
    Format: Format ?? 'json',
    Service: Service ?? 'HasOffers',
    Version: Version ?? version,
    Method: method,
    ...rest,
  };
}

export function success(request: Params, data: unknown) {
  return { request, response: { status: 1, httpStatus: 200, data, errors: [], errorMessage: null } };
}

export function failure(request: Params, error: HasOffersError) {
  const entry = { ...error.extra, publicMessage: error.message };
  return { request, response: { status: -1, httpStatus: 200, data: '', errors: [entry], errorMessage: error.message } };
}

/** Errors raised before dispatch carry no request and no status. */
export function preDispatchFailure(publicMessage: string, asObject = false) {
  return { response: { errors: asObject ? { publicMessage } : [{ publicMessage }], link: 'http://developers.hasoffers.com/' } };
}

/** PHP's empty array: an empty map is written `[]`. */
export function phpMap<T>(entries: Array<[string, T]>): Record<string, T> | [] {
  return entries.length === 0 ? [] : Object.fromEntries(entries);
}
