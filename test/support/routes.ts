import { allMethods } from '../../src/hasoffers/methods.ts';
import type { Store } from '../../src/store/store.ts';
import type { TestServer } from './test-server.ts';

/** One operation of the OpenAPI document, with the schemas its request is checked against. */
export interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query?: JsonSchema;
  body?: JsonSchema;
  /** Answered to anyone, without a key: tracking and health. */
  public: boolean;
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  example?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  [key: string]: unknown;
}

/** Every operation the server documents, read from its own OpenAPI document: a new route is swept without a test of its own. */
export async function documentedOperations(server: TestServer): Promise<Operation[]> {
  const doc = (await server.request('GET', '/doc/affiliate.json')).body as {
    paths: Record<string, Record<string, { security?: unknown[]; parameters?: Array<{ in: string; name: string; schema: JsonSchema; required?: boolean }>; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const queryParameters = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
      const query: JsonSchema | undefined =
        queryParameters.length === 0
          ? undefined
          : {
              type: 'object',
              properties: Object.fromEntries(queryParameters.map((parameter) => [parameter.name, parameter.schema])),
              required: queryParameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
            };
      return {
        method: method.toUpperCase(),
        path,
        pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!),
        ...(query ? { query } : {}),
        ...(operation.requestBody?.content['application/json'] ? { body: operation.requestBody.content['application/json'].schema } : {}),
        public: !operation.security || operation.security.length === 0,
      };
    }),
  );
}

/** Every HasOffers Target and Method, with the credential its API takes. */
export function hasOffersMethods(): Array<{ target: string; method: string; credential: 'NetworkToken' | 'api_key' }> {
  return allMethods().map(({ target, method }) => ({
    target,
    method,
    credential: target.startsWith('Affiliate_') || target.startsWith('Advertiser_') ? 'api_key' : 'NetworkToken',
  }));
}

/** The names of the store's tables, to fingerprint what a request may not change. */
export async function tableNames(store: Store): Promise<string[]> {
  const rows = await store.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/** A digest of rows: what they hold, whatever their order. */
export async function digest(store: Store, sql: string, params: unknown[] = []): Promise<string> {
  const [row] = await store.query<{ digest: string | null }>(`SELECT md5(string_agg(r::text, '|' ORDER BY r::text)) AS digest FROM (${sql}) r`, params);
  return row!.digest ?? '';
}
