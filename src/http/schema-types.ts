/** Schema pieces every API shares. Ids are PostgreSQL integers: larger numbers are no id. */
export const idSchema = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;

export const pageSchema = { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1, description: 'Results page number, from 1.' } as const;

export const idParams = { type: 'object', properties: { id: idSchema }, required: ['id'] } as const;

export const errorBody = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } as const;
