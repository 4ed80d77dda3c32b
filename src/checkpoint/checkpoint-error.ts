// The one error a checkpoint reader or writer throws. `code` says which kind of problem it is, so a caller
// (or a test) can tell a damaged file from one that belongs to another model.

/** What went wrong, in one word. */
export type CheckpointErrorCode =
  /** The bytes end before the header or the tensors they announce. */
  | "truncated"
  /** The bytes are damaged: unreadable header, inconsistent offsets, or a checksum that does not match. */
  | "corrupt"
  /** A well-formed file that is not a descent checkpoint, or one of a newer format version. */
  | "unsupported"
  /** A sound checkpoint that does not fit what it is loaded into (class, groups, sizes, dtypes, names). */
  | "mismatch"
  /** A value that cannot be saved (a function, a bigint, a typed array other than Float32/Float64). */
  | "unserializable";

const PREFIX: Record<CheckpointErrorCode, string> = {
  truncated: "truncated checkpoint",
  corrupt: "corrupt checkpoint",
  unsupported: "unsupported checkpoint",
  mismatch: "checkpoint does not match",
  unserializable: "cannot save checkpoint",
};

/**
 * Thrown by every checkpoint function; the message names the problem, `code` classifies it.
 * @example
 * const opt = new SGD([param([0])], { lr: 0.1 });
 * const bytes = saveCheckpoint({ optimizer: opt });
 * bytes[bytes.length - 1] ^= 0xff; // one damaged byte
 * let code = "";
 * try {
 *   loadCheckpoint(bytes, { optimizer: opt });
 * } catch (e) {
 *   if (e instanceof CheckpointError) code = e.code; // e.g. restore from a backup on "corrupt"
 * }
 * code; // → "corrupt"
 */
export class CheckpointError extends Error {
  override name = "CheckpointError";
  readonly code: CheckpointErrorCode;

  constructor(code: CheckpointErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${PREFIX[code]}: ${message}`, options);
    this.code = code;
  }
}
