/** An absolute http(s) URL, as a destination or business address must be. */
export function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/** A URL template with each `{macro}` placeholder filled by a stand-in, to check what the template itself says. */
export function withMacrosFilled(template: string): string {
  return template.replace(/\{[a-z0-9_]+\}/gi, 'x');
}

/**
 * A URL template with `{macro}` placeholders is valid when it parses once the placeholders are
 * filled; the macros themselves are expanded at click time.
 */
export function isHttpUrlTemplate(template: string): boolean {
  return isHttpUrl(withMacrosFilled(template));
}
