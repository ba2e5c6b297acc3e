export type MacroValue = string | number | null | undefined;

/** What a lookup answers for a name that is no macro: its placeholder stays as written. */
export const UNKNOWN_MACRO = Symbol('unknown macro');

export type MacroLookup = (name: string) => MacroValue | typeof UNKNOWN_MACRO;

/**
 * Expands `{name}` placeholders. Known names take their value URL-encoded (empty when the value
 * is missing); unknown names stay as written, so a typo is visible rather than silently blank.
 * Values are looked up by name, so a template pays only for the macros it uses.
 */
export function expandMacros(template: string, lookup: MacroLookup): string {
  return template.replace(/\{([a-z0-9_]+)\}/gi, (placeholder, name: string) => {
    const value = lookup(name);
    if (value === UNKNOWN_MACRO) return placeholder;
    return value === null || value === undefined ? '' : encodeURIComponent(String(value));
  });
}

/** The lookup over a record of values: a name the record lacks is no macro. */
export function macrosFrom(values: Record<string, MacroValue>): MacroLookup {
  return (name) => (Object.hasOwn(values, name) ? values[name] : UNKNOWN_MACRO);
}
