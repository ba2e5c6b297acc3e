/** An absolute http(s) URL, as a destination or business address must be. */
export function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/** Whether a host is one of the names or under one (`ads.spam.example` under `spam.example`, never `notspam.example`). */
export function isOnDomains(host: string, names: ReadonlySet<string>): boolean {
  for (let name = host; ; name = name.slice(name.indexOf('.') + 1)) {
    if (names.has(name)) return true;
    if (!name.includes('.')) return false;
  }
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

/**
 * A URL as a Location header carries it: parsed and written again, so what is not ASCII is
 * percent-encoded as UTF-8, tabs and line breaks are gone, and a backslash is the slash every
 * browser reads it as. A text that is no URL sends the visitor nowhere (about:blank).
 */
export function redirectTarget(url: string): string {
  if (!URL.canParse(url)) return 'about:blank';
  const { href } = new URL(url);
  return /^[\x21-\x7e]+$/.test(href) ? href : 'about:blank';
}
