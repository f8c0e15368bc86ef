import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  TRUNCATED_DEPTH,
  TRUNCATED_SIZE,
  createRedactor,
  redact,
  redactString,
} from '../../../src/core/audit/redaction.js';

/** Random token characters, made at run time so that no secret-looking literal sits in the repo. */
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const rand = (n: number, alphabet = BASE62): string =>
  [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const fakeJwt = () =>
  `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${rand(12)}","iat":1700000000}`)}.${rand(43)}`;

describe('redaction by key name', () => {
  const r = createRedactor();

  it('replaces the whole value under sensitive keys, whatever the case or separators', () => {
    const out = r({
      Password: 'hunter2!x',
      db_password: 'p',
      'X-API-Key': 'abc',
      apiKey: 'k',
      'set-cookie': ['a=1', 'b=2'],
      Authorization: 'Bearer abc',
      session_id: 42,
      client_secret: { nested: 'value' },
      access_token: 't',
      'card-number': '4111',
      CVV: '123',
      ssn: '078-05-1120',
      otp: '123456',
      pin: 1234,
      private_key: 'x',
    }) as Record<string, unknown>;
    expect(out).toEqual({
      Password: '[REDACTED:password]',
      db_password: '[REDACTED:password]',
      'X-API-Key': '[REDACTED:api_key]',
      apiKey: '[REDACTED:api_key]',
      'set-cookie': '[REDACTED:cookie]',
      Authorization: '[REDACTED:authorization]',
      session_id: '[REDACTED:session]',
      client_secret: '[REDACTED:client_secret]',
      access_token: '[REDACTED:access_token]',
      'card-number': '[REDACTED:card]',
      CVV: '[REDACTED:cvv]',
      ssn: '[REDACTED:ssn]',
      otp: '[REDACTED:otp]',
      pin: '[REDACTED:pin]',
      private_key: '[REDACTED:private_key]',
    });
  });

  it('keeps innocent look-alikes and harmless values', () => {
    const input = {
      token_type: 'bearer',
      key_id: 'k1',
      public_key: 'ssh-ed25519 AAAA',
      author: 'ann',
      spin: 3,
      shipping: 'fast',
      tokens: 12,
      password: null,
      secret: false,
      token: '',
    };
    expect(r(input)).toEqual(input);
  });

  it('walks any depth: objects in arrays in objects', () => {
    const out = r({ a: [{ b: { c: [{ password: 'x1y2z3w4' }, { ok: 'fine' }] } }] });
    expect(out).toEqual({ a: [{ b: { c: [{ password: '[REDACTED:password]' }, { ok: 'fine' }] } }] });
  });

  it('takes extra keys from the configuration', () => {
    const r2 = createRedactor({ extraKeys: ['Account-Number', 'iban'] });
    expect(r2({ accountNumber: '12', IBAN: 'DE89', note: 'iban=DE89370400440532013000 ok' })).toEqual({
      accountNumber: '[REDACTED:accountnumber]',
      IBAN: '[REDACTED:iban]',
      note: 'iban=[REDACTED:iban] ok',
    });
  });

  it('does not mutate its input and never sets a prototype from a __proto__ key', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "password": "x1y2z3w4"}') as Record<
      string,
      unknown
    >;
    const out = r(input) as Record<string, unknown>;
    expect(input.password).toBe('x1y2z3w4');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['__proto__', 'password']);
  });
});

describe('redaction by value', () => {
  it('finds secrets under innocent keys and inside free text', () => {
    const jwt = fakeJwt();
    const gh = `ghp_${rand(36)}`;
    const aws = `AKIA${rand(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
    const npm = `npm_${rand(36)}`;
    const glpat = `glpat-${rand(20)}`;
    const google = `AIza${rand(35)}`;
    const anthropic = `sk-ant-api03-${rand(93)}AA`;
    const openai = `sk-proj-${rand(74)}T3BlbkFJ${rand(74)}`;
    const stripe = `sk_live_${rand(24)}`;
    const out = redact({
      note: `user pasted ${jwt} into chat`,
      list: [
        `token ${gh}`,
        `aws ${aws}`,
        `npm ${npm} and ${glpat}`,
        `maps ${google}`,
        `${anthropic} / ${openai} / ${stripe}`,
      ],
      header: `Authorization: Bearer ${rand(40)}`,
      url: `https://admin:${rand(16)}@db.internal:5432/app`,
      query: `/cb?code=1&access_token=${rand(30)}&state=2`,
      pem: `-----BEGIN PRIVATE KEY-----\n${rand(64)}\n${rand(64)}\n-----END PRIVATE KEY-----`,
    });
    expect(out).toEqual({
      note: 'user pasted [REDACTED:jwt] into chat',
      list: [
        'token [REDACTED:github_token]',
        'aws [REDACTED:aws_access_key]',
        'npm [REDACTED:npm_token] and [REDACTED:gitlab_token]',
        'maps [REDACTED:google_api_key]',
        '[REDACTED:anthropic_key] / [REDACTED:openai_key] / [REDACTED:stripe_key]',
      ],
      header: 'Authorization: Bearer [REDACTED:bearer]',
      url: 'https://admin:[REDACTED:password]@db.internal:5432/app',
      query: '/cb?code=1&access_token=[REDACTED:access_token]&state=2',
      pem: '[REDACTED:private_key]',
    });
  });

  it('redacts name=value assignments in text, including JSON inside a string', () => {
    expect(redactString('login failed password=Tr0ub4dor&3 for bob')).toBe(
      'login failed password=[REDACTED:password]&3 for bob',
    );
    expect(redactString('{"user":"bob","password":"correct horse battery"}')).toBe(
      '{"user":"bob","password":"[REDACTED:password]"}',
    );
    expect(redactString('{\\"password\\":\\"s3cr3tpw\\"}')).toBe(
      '{\\"password\\":\\"[REDACTED:password]\\"}',
    );
    expect(redactString(`api_key: ${'9f8e7d6c5b4a'.repeat(2)}`)).toBe('api_key: [REDACTED:api_key]');
  });

  it('leaves ordinary metadata untouched', () => {
    const input = {
      path: '/api/v1/messages/42',
      method: 'POST',
      user_agent:
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      request_id: '01890a5d-ac96-774b-bcce-b302099a8057',
      commit: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      at: '2024-05-01T12:30:00.123Z',
      ms: '1714566600123',
      reason: 'token expired; password reset requested',
      version: '1.2.3',
      count: 17,
    };
    expect(redact(input)).toEqual(input);
  });

  it('redacts card numbers stored as JSON numbers only when they pass Luhn', () => {
    expect(redact({ a: 4111111111111111, b: 4111111111111112, c: 1714566600123 })).toEqual({
      a: '[REDACTED:card]',
      b: 4111111111111112,
      c: 1714566600123,
    });
  });

  it('redacts phone numbers in E.164 and common national forms, not dates or ids', () => {
    for (const p of [
      '+1 415 555 2671',
      '(415) 555-2671',
      '415-555-2671',
      '07911 123456',
      '+44 20 7946 0958',
      '+14155552671',
      '+49 (0)30 901820',
    ])
      expect(redactString(`call ${p} today`), p).toBe('call [REDACTED:phone] today');
    for (const s of [
      'on 2024-05-01 at 12:30:45',
      'order 12345678',
      'v10.2.33.4',
      'ts 1714566600123',
      'port 5432-5433',
    ])
      expect(redactString(s), s).toBe(s);
  });

  it('applies configured patterns', () => {
    const r = createRedactor({ extraPatterns: [{ kind: 'iban', regex: /\bDE\d{20}\b/ }] });
    expect(r.redactString('pay to DE89370400440532013000 now')).toBe('pay to [REDACTED:iban] now');
  });
});

describe('markers with an HMAC key', () => {
  const r = createRedactor({ hmacKey: Buffer.from('k'.repeat(32)) });

  it('adds a 12-hex correlation id that is equal for equal values and differs otherwise', () => {
    const a = r.redactString('from Alice@Example.com');
    const b = r.redactString('to alice@example.com');
    const c = r.redactString('to bob@example.com');
    expect(a).toMatch(/^from \[REDACTED:email:[0-9a-f]{12}\]$/);
    expect(a.slice(5)).toBe(b.slice(3)); // e-mail compared case-insensitively
    expect(c.slice(3)).not.toBe(b.slice(3));
    expect(r.redactString('4111 1111 1111 1111').replace(/card/, '')).toBe(
      r.redactString('4111-1111-1111-1111').replace(/card/, ''),
    );
    expect((r({ password: 'same' }) as { password: string }).password).toBe(
      (r({ pwd: 'same' }) as { pwd: string }).pwd,
    );
  });

  it('depends on the key', () => {
    const other = createRedactor({ hmacKey: Buffer.from('z'.repeat(32)) });
    expect(other.redactString('x@example.com')).not.toBe(r.redactString('x@example.com'));
  });
});

describe('guards', () => {
  it('cuts nesting past maxDepth and size past maxNodes, so cycles terminate', () => {
    const r = createRedactor({ maxDepth: 3, maxNodes: 5 });
    expect(r({ a: { b: { c: { d: 1 } } } })).toEqual({ a: { b: { c: TRUNCATED_DEPTH } } });
    expect(r([1, 2, 3, 4, 5, 6])).toEqual([1, 2, 3, 4, TRUNCATED_SIZE, TRUNCATED_SIZE]);
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    const out = createRedactor({ maxDepth: 4 })(cyclic) as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe(
      '{"name":"x","self":{"name":"x","self":{"name":"x","self":{"name":"x","self":"[TRUNCATED:depth]"}}}}',
    );
  });

  it('turns non-JSON values into JSON ones', () => {
    expect(redact({ d: new Date(0), n: 10n, u: undefined, f: () => 1, arr: [undefined, 1] })).toEqual({
      d: '1970-01-01T00:00:00.000Z',
      n: '10',
      arr: [null, 1],
    });
  });
});
