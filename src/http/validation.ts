import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const shared = { useDefaults: true, removeAdditional: true, allErrors: false, allowUnionTypes: true } as const;
// A JSON body states its types: "12" is not a number there. Query strings and paths are all text.
const bodyAjv = addFormats.default(new Ajv({ ...shared, coerceTypes: false }));
const textAjv = addFormats.default(new Ajv({ ...shared, coerceTypes: 'array' }));
for (const ajv of [bodyAjv, textAjv]) ajv.addKeyword({ keyword: 'example' });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema);

/** "geoTargeting[0]: must be string" from an Ajv error, naming the field as the client wrote it. */
export function describeValidationError(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join('');
  const missing = (error.params as { missingProperty?: string }).missingProperty;
  if (missing) return `${path ? path + '.' : ''}${missing}: is required`;
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  // A field the body may not have (a schema's propertyNames): name the field, not the body.
  if (error.propertyName) return `${path ? path + '.' : ''}${error.propertyName}: is not a field here${allowed ? `; the fields are ${allowed.join(', ')}` : ''}`;
  const detail = allowed ? `must be one of ${allowed.join(', ')}` : error.message ?? 'is invalid';
  return `${path || 'body'}: ${detail}`;
}
