/**
 * Objects that hold secrets keep them in #private fields (invisible to JSON.stringify, spreading and
 * util.inspect) and also answer toJSON / toString / util.inspect with a fixed redacted text, so that
 * logging one by mistake shows nothing secret. Symbol.for avoids importing node:util into the core.
 */
export const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export const REDACTED = '[redacted]';
