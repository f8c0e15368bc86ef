import { describe, expect, it } from 'vitest';
import { canonicalJson, isCanonicalJson } from '../../../src/core/audit/canonical-json.js';
import { BulwarkError } from '../../../src/core/errors.js';

describe('canonicalJson', () => {
  it('sorts keys recursively and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('sorts by UTF-16 code units as RFC 8785 requires', () => {
    // RFC 8785 §3.2.3's example: \r (U+000D) < 1 < U+0080 < ö < € < 😀 (surrogates D83D DE00) < U+FB33
    const obj = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const keys = Object.keys(JSON.parse(canonicalJson(obj)) as object);
    expect(canonicalJson(obj)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(keys).toHaveLength(7);
  });

  it('formats numbers the ECMAScript way (RFC 8785 §3.2.2.3)', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [-0, '0'],
      [1, '1'],
      [-1.5, '-1.5'],
      [1e21, '1e+21'],
      [1e-7, '1e-7'],
      [123456789012345680000, '123456789012345680000'],
      [0.000001, '0.000001'],
      [9007199254740991, '9007199254740991'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [333333333.3333333, '333333333.3333333'],
    ];
    for (const [n, s] of cases) expect(canonicalJson(n)).toBe(s);
  });

  it('escapes strings like JSON.stringify, including lone surrogates', () => {
    expect(canonicalJson('a"b\\c\n\u0001\u2028\ud800')).toBe(JSON.stringify('a"b\\c\n\u0001\u2028\ud800'));
    expect(canonicalJson('plain')).toBe('"plain"');
  });

  it('refuses NaN, Infinity, undefined in arrays, bigint and functions, naming the path', () => {
    const bad: Array<[unknown, string]> = [
      [{ a: [1, NaN] }, '$.a[1]'],
      [{ x: Infinity }, '$.x'],
      [[1, undefined], '$[1]'],
      [{ b: 1n }, '$.b'],
      [{ f: () => 1 }, '$.f'],
    ];
    for (const [v, field] of bad) {
      try {
        canonicalJson(v);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(BulwarkError);
        expect((e as BulwarkError).field).toBe(field);
      }
    }
  });

  it('omits undefined members and uses toJSON (Date)', () => {
    expect(canonicalJson({ a: undefined, d: new Date(0) })).toBe('{"d":"1970-01-01T00:00:00.000Z"}');
  });

  it('round-trips: canonical text parses back to the same canonical text', () => {
    const v = { z: [1, 2.5, 'x', true, null, { q: -0.1 }], a: 'é' };
    const text = canonicalJson(v);
    expect(isCanonicalJson(text)).toBe(true);
    expect(isCanonicalJson(JSON.stringify(v))).toBe(false);
    expect(isCanonicalJson('{"a": 1}')).toBe(false);
  });
});
