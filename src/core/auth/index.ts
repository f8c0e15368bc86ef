/**
 * Authentication attempts: the entity, log parsers that read attempts out of sshd, nginx/Apache,
 * Dovecot and JSON-lines logs, and the anomaly detectors over them.
 */
export * from './attempt.js';
export * from './anomaly.js';
export {
  DEFAULT_ANOMALY_THRESHOLDS,
  resolveThresholds,
  type AnomalyThresholds,
  type AnomalyThresholdsInput,
} from './anomaly-thresholds.js';
export { FINDING_KINDS, medianGap, overflows } from './anomaly-classify.js';
export { bannedBy, FAIL2BAN_DEFAULTS, type Ban, type BanRule } from './fail2ban-ban.js';
export {
  parseSshdLine,
  SshdParser,
  SSHD_MODE_CATEGORIES,
  type SshdMode,
  type SshdOptions,
} from './parsers/sshd.js';
export { parseNginxLine, type NginxOptions } from './parsers/nginx.js';
export { parseJsonlLine, type JsonlOptions } from './parsers/jsonl.js';
export { parseDovecotLine } from './parsers/dovecot.js';
export {
  createLineParser,
  newStreamStats,
  parseLogStream,
  parseSshdStream,
  type LogFormat,
  type LogParserOptions,
  type StreamOptions,
  type StreamStats,
} from './parsers/stream.js';
export type { HostKind, LineParser, LineResult, ParsedAttempt } from './parsers/types.js';
export type { WallTimeOptions } from './parsers/log-time.js';
