/**
 * Errors the core raises for a caller's mistake. Each API adapter renders them in its own format;
 * anything else is a server fault.
 */
export class ValidationError extends Error {
  readonly field: string;
  readonly detail: string;
  constructor(field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.field = field;
    this.detail = detail;
  }
}

export class NotFoundError extends Error {
  readonly entity: string;
  readonly id: number | string;
  constructor(entity: string, id: number | string) {
    super(`${entity} ${id} was not found`);
    this.entity = entity;
    this.id = id;
  }

  /** The message in an API's own words, where it calls the thing by another name (an offer is an SK campaign). */
  inWords(names: Record<string, string>): string {
    return `${names[this.entity] ?? this.entity} ${this.id} was not found`;
  }
}

export class ForbiddenError extends Error {
  constructor(message = 'Your API key may not access this resource') {
    super(message);
  }
}

export class ConflictError extends Error {}

/** Another system Partnerline called failed, so the request could not be done: a bad gateway, not the caller's fault. */
export class UpstreamError extends Error {}
