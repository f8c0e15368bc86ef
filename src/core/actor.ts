/** Who did something and from where: recorded on every audit entry a service writes for them. */
export interface Actor {
  /** `token:<name>` for API callers, `cli:<user>` for the CLI, `system` for Bulwark itself. */
  id: string;
  /** The caller's IP; 127.0.0.1 for the CLI and internal jobs. */
  ip: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', ip: '127.0.0.1' };
