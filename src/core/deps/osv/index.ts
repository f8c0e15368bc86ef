export { AdvisoryIndex, type AddOutcome } from './advisory-index.js';
export { groupByAliases, type AliasLinked } from './alias-groups.js';
export {
  affectedHit,
  compileAffected,
  rangeIncludes,
  type CompiledAffected,
  type CompiledRange,
} from './affected-ranges.js';
export { idPreference, isCveId, type AdvisoryFinding, type ScannedPackage } from './finding.js';
export { parseOsvRecord, type OsvParseResult } from './parse-record.js';
export { purlOf } from './purl.js';
export * from './record.js';
export * from './severity.js';
