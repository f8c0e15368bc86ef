export { advisorySource, recommendation, type AdvisorySource } from './advisory-links.js';
export { CYCLONEDX_SCHEMA_URI, toCycloneDx, type CycloneDxBom, type CycloneDxOptions } from './cyclonedx.js';
export {
  artifactLocation,
  SARIF_SCHEMA_URI,
  sarifLevel,
  toSarif,
  type SarifLevel,
  type SarifLog,
} from './sarif.js';
export {
  approvalHolds,
  compareFindings,
  DEFAULT_TOOL_NAME,
  isOpen,
  isVulnerability,
  summarise,
  type Approval,
  type LockfileScan,
  type ScanFinding,
  type ScanResult,
  type ScanSummary,
} from './scan-result.js';
export { terminalSafe, toTable } from './table.js';
