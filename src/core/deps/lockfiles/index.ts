/** Lockfile parsers: file name + content in, packages out. No I/O; see parse-lockfile.ts. */
export { parseLockfile } from './parse-lockfile.js';
export { detectLockfileFormat, dropShadowedLockfiles } from './detect-format.js';
export { purlFor } from './purl.js';
export {
  DEFAULT_MAX_LOCKFILE_BYTES,
  MAX_PATHS,
  type DepGroup,
  type Ecosystem,
  type LockfileFormat,
  type LockPackage,
  type PackageKind,
  type ParsedLockfile,
  type ParseLockfileOptions,
} from './types.js';
