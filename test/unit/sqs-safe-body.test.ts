import fc from 'fast-check';
import { isSqsSafe, toSqsSafeJson } from '../../shared/queue/sqs-safe-body.js';

// SQS's documented allowed set, written out as ranges independently of the implementation:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
const ALLOWED: ReadonlyArray<readonly [number, number]> = [
  [0x9, 0x9],
  [0xa, 0xa],
  [0xd, 0xd],
  [0x20, 0xd7ff],
  [0xe000, 0xfffd],
  [0x10000, 0x10ffff],
];
const allowedBySqs = (text: string) =>
  [...text].every((char) => {
    const code = char.codePointAt(0) ?? -1;
    // A lone surrogate spreads to one "character" of its own in [...text].
    return ALLOWED.some(([low, high]) => code >= low && code <= high);
  });

describe('toSqsSafeJson', () => {
  it.each([
    ['U+FFFE', '\uFFFE', '\\ufffe'],
    ['U+FFFF', '\uFFFF', '\\uffff'],
    ['a lone high surrogate', '\uD800', '\\ud800'],
    ['a lone low surrogate', '\uDFFF', '\\udfff'],
  ])('escapes %s inside a JSON string', (_label, char, escaped) => {
    const body = `{"caller_id_name":"a${char}b"}`;

    const safe = toSqsSafeJson(body);

    expect(safe).toBe(`{"caller_id_name":"a${escaped}b"}`);
    expect(allowedBySqs(safe)).toBe(true);
    expect(JSON.parse(safe)).toEqual(JSON.parse(body));
  });

  it('leaves a body SQS accepts byte for byte as it was', () => {
    const body = '{\n\t"name": "Zoë 😀 \u2028 \uFFFD \uE000"\r\n}';
    expect(toSqsSafeJson(body)).toBe(body);
    expect(isSqsSafe(body)).toBe(true);
  });

  it('keeps the JSON value and lands inside the allowed set for any JSON text', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }));
    const value = fc
      .jsonValue({ maxDepth: 3 })
      .chain((json) =>
        fc.record({ json: fc.constant(json), extra: fc.array(text, { maxLength: 4 }) }),
      );
    fc.assert(
      fc.property(value, fc.constantFrom(undefined, 2), ({ json, extra }, indent) => {
        const body = JSON.stringify({ json, extra }, null, indent)
          // JSON.stringify escapes C0 controls and lone surrogates; put the raw ones back where
          // JSON allows raw text (inside strings), as a sender could.
          .replace(/\\ud[89a-f][0-9a-f]{2}/g, (escaped) => JSON.parse(`"${escaped}"`));
        const safe = toSqsSafeJson(body);
        expect(allowedBySqs(safe)).toBe(true);
        expect(isSqsSafe(safe)).toBe(true);
        expect(JSON.parse(safe)).toEqual(JSON.parse(body));
      }),
      { numRuns: 500 },
    );
  });

  it('recognises a body SQS would refuse', () => {
    expect(isSqsSafe('{"a":"\uFFFE"}')).toBe(false);
    expect(isSqsSafe('{"a":"\u0001"}')).toBe(false);
  });
});
