/**
 * Expands `{name}` placeholders. Known names take their value URL-encoded (empty when the value
 * is missing); unknown names stay as written, so a typo is visible rather than silently blank.
 */
export function expandMacros(template: string, values: Record<string, string | number | null | undefined>): string {
  return template.replace(/\{([a-z0-9_]+)\}/gi, (placeholder, name: string) => {
    if (!Object.hasOwn(values, name)) return placeholder;
    const value = values[name];
    return value === null || value === undefined ? '' : encodeURIComponent(String(value));
  });
}
