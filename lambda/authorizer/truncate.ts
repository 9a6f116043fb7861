// Bounds text that comes from outside (a token, a discovery document, a JWKS) before it reaches an error
// message or a log line. A leaf: the logger, the error family and the modules that quote such text read it.

/** The marker that replaces what was cut: `…(+N chars)`, so a reader sees that, and how much, was dropped. */
function marker(dropped: number): string {
  return `…(+${dropped} chars)`;
}

/**
 * `text` if it has at most `maxChars` UTF-16 units, else its first `maxChars` units (never half a surrogate
 * pair) and a marker saying how many were dropped.
 */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = maxChars;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + marker(text.length - end);
}

/** A value as JSON (for a message such as `typ "x" is not accepted`), truncated. */
export function quote(value: unknown, maxChars = 64): string {
  // JSON.stringify throws on a bigint and gives undefined for undefined and functions.
  const json =
    typeof value === 'bigint' ? String(value) : (JSON.stringify(value ?? null) as string | undefined);
  return truncate(json ?? String(value), maxChars);
}
