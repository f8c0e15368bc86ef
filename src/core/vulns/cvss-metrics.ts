/**
 * The metrics each supported CVSS version allows, in the order its specification lists them.
 *
 * Written out from the FIRST specifications (CVSS v3.0 and v3.1 §6 "Vector String", CVSS v4.0
 * §7 "Vector String") rather than taken from the calculator library, because the library is
 * lenient where the register must be strict: it accepts `X` for base metrics, `S` for the base
 * metrics SC/SI/SA, the wrong version prefix, and a repeated metric (last one wins). The order
 * here is also the order of the normalised vector we store.
 */

export type CvssVersion = '3.0' | '3.1' | '4.0';

export interface MetricSpec {
  /** Allowed values, exactly as the specification spells them (values are case-sensitive). */
  readonly values: readonly string[];
  /** Base metrics must be present; every other metric is optional and `X` means "not defined". */
  readonly mandatory: boolean;
}

const base = (...values: string[]): MetricSpec => ({ values, mandatory: true });
const optional = (...values: string[]): MetricSpec => ({ values: ['X', ...values], mandatory: false });

// CVSS v3.0 and v3.1 share metrics and vector syntax; they differ only in the formulas (v3.1
// changed Roundup and the environmental Modified Impact), which the calculator handles.
const CVSS3_METRICS: ReadonlyMap<string, MetricSpec> = new Map([
  ['AV', base('N', 'A', 'L', 'P')],
  ['AC', base('L', 'H')],
  ['PR', base('N', 'L', 'H')],
  ['UI', base('N', 'R')],
  ['S', base('U', 'C')],
  ['C', base('H', 'L', 'N')],
  ['I', base('H', 'L', 'N')],
  ['A', base('H', 'L', 'N')],
  ['E', optional('H', 'F', 'P', 'U')],
  ['RL', optional('U', 'W', 'T', 'O')],
  ['RC', optional('C', 'R', 'U')],
  ['CR', optional('H', 'M', 'L')],
  ['IR', optional('H', 'M', 'L')],
  ['AR', optional('H', 'M', 'L')],
  ['MAV', optional('N', 'A', 'L', 'P')],
  ['MAC', optional('L', 'H')],
  ['MPR', optional('N', 'L', 'H')],
  ['MUI', optional('N', 'R')],
  ['MS', optional('U', 'C')],
  ['MC', optional('H', 'L', 'N')],
  ['MI', optional('H', 'L', 'N')],
  ['MA', optional('H', 'L', 'N')],
]);

const CVSS4_METRICS: ReadonlyMap<string, MetricSpec> = new Map([
  // Base
  ['AV', base('N', 'A', 'L', 'P')],
  ['AC', base('L', 'H')],
  ['AT', base('N', 'P')],
  ['PR', base('N', 'L', 'H')],
  ['UI', base('N', 'P', 'A')],
  ['VC', base('H', 'L', 'N')],
  ['VI', base('H', 'L', 'N')],
  ['VA', base('H', 'L', 'N')],
  ['SC', base('H', 'L', 'N')],
  ['SI', base('H', 'L', 'N')],
  ['SA', base('H', 'L', 'N')],
  // Threat
  ['E', optional('A', 'P', 'U')],
  // Environmental
  ['CR', optional('H', 'M', 'L')],
  ['IR', optional('H', 'M', 'L')],
  ['AR', optional('H', 'M', 'L')],
  ['MAV', optional('N', 'A', 'L', 'P')],
  ['MAC', optional('L', 'H')],
  ['MAT', optional('N', 'P')],
  ['MPR', optional('N', 'L', 'H')],
  ['MUI', optional('N', 'P', 'A')],
  ['MVC', optional('H', 'L', 'N')],
  ['MVI', optional('H', 'L', 'N')],
  ['MVA', optional('H', 'L', 'N')],
  ['MSC', optional('H', 'L', 'N')],
  ['MSI', optional('S', 'H', 'L', 'N')],
  ['MSA', optional('S', 'H', 'L', 'N')],
  // Supplemental (never changes the score)
  ['S', optional('N', 'P')],
  ['AU', optional('N', 'Y')],
  ['R', optional('A', 'U', 'I')],
  ['V', optional('D', 'C')],
  ['RE', optional('L', 'M', 'H')],
  ['U', optional('Clear', 'Green', 'Amber', 'Red')],
]);

export const CVSS_METRICS: Readonly<Record<CvssVersion, ReadonlyMap<string, MetricSpec>>> = {
  '3.0': CVSS3_METRICS,
  '3.1': CVSS3_METRICS,
  '4.0': CVSS4_METRICS,
};

/** The mandatory (base) metric names of a version, in specification order. */
export const mandatoryMetrics = (version: CvssVersion): string[] =>
  [...CVSS_METRICS[version]].filter(([, spec]) => spec.mandatory).map(([name]) => name);
