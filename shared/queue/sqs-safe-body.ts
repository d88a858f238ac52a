/**
 * Every code point SQS refuses in a message body: its allowed set is #x9 | #xA | #xD |
 * #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. With the `u` flag a lone surrogate is one
 * code point of its own, so it matches too.
 */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Makes a webhook body SQS accepts while keeping its JSON value. In text that parsed as JSON,
 * a character SQS refuses can only sit inside a string (outside them JSON allows only ASCII),
 * where `\\uXXXX` means the same character. Bodies without one are returned unchanged.
 */
export function toSqsSafeJson(json: string): string {
  return json.replace(
    OUTSIDE_SQS_CHARACTERS,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

/** True when SQS would accept `body` as it is. */
export function isSqsSafe(body: string): boolean {
  return !new RegExp(OUTSIDE_SQS_CHARACTERS.source, 'u').test(body);
}
