export { ECOSYSTEMS, isEcosystem, isPackageName, packageKeyName, type Ecosystem } from './ecosystem.js';
export {
  compareParsed,
  compareVersions,
  isStrictVersion,
  parseVersion,
  type ParsedVersion,
} from './compare.js';
export { compareSemverLike, parseSemverLike, type SemverLike } from './semver-like.js';
