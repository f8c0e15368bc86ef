/**
 * The shape shared by the secret and PII detectors: each finds the spans of one kind of sensitive
 * text in a string. The redactor runs them only when their cheap gates pass (see redaction.ts).
 */

/** A found span `[start, end)` of `text` and the kind that names its marker. */
export interface Span {
  start: number;
  end: number;
  kind: string;
  /** Lower wins when two spans overlap and are merged. */
  priority: number;
}

/** Facts about a string gathered in one pass, so detectors that cannot match are skipped. */
export interface TextFeatures {
  /** ASCII digits in the string. */
  digits: number;
  /** The string holds an `@`. */
  at: boolean;
  /** Longest run of token characters `[A-Za-z0-9+=_-]`. */
  longestRun: number;
  /** The string holds `=`, `:` or `,` (every `name = value` form needs one). */
  separator: boolean;
}

export interface Detector {
  kind: string;
  /** Lower-case substrings; at least one must occur in the lower-cased text. Empty: no keyword needed. */
  keywords: readonly string[];
  /** Feature gate, checked before the keywords. */
  gate?: (f: TextFeatures) => boolean;
  /** Appends the spans it finds in `text` to `out`. */
  scan(text: string, out: Span[], priority: number): void;
}

export interface RegexDetectorSpec {
  kind: string;
  keywords: readonly string[];
  /**
   * A global regex. The secret is the whole match, or, when the regex has a named group `s`, that
   * group, which must be the tail of the match (context before it is matched, not redacted).
   */
  regex: RegExp;
  gate?: (f: TextFeatures) => boolean;
  /** Final say on a candidate: false drops it; a string replaces the kind. */
  accept?: (secret: string, m: RegExpExecArray) => boolean | string;
}

/** A detector from a regex (see RegexDetectorSpec for how the secret is located). */
export function regexDetector(spec: RegexDetectorSpec): Detector {
  const { kind, keywords, accept, gate } = spec;
  const re = spec.regex.global ? spec.regex : new RegExp(spec.regex.source, `${spec.regex.flags}g`);
  return {
    kind,
    keywords,
    ...(gate ? { gate } : {}),
    scan(text, out, priority) {
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        const whole = m[0];
        if (whole.length === 0) {
          re.lastIndex++;
          continue;
        }
        const secret = m.groups?.s ?? whole;
        if (secret.length === 0) continue;
        const verdict = accept ? accept(secret, m) : true;
        if (verdict === false) continue;
        const end = m.index + whole.length;
        out.push({
          start: end - secret.length,
          end,
          kind: typeof verdict === 'string' ? verdict : kind,
          priority,
        });
      }
    },
  };
}
