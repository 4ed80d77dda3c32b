// The one error the torch-file reader, writer and state mappers throw. `code` says which kind of problem it
// is, so a caller (or a test) can tell a damaged file from a hostile one or from one that does not map.

/** What went wrong, in one word. */
export type TorchFormatErrorCode =
  /** The bytes end before a record, a string or a storage they announce. */
  | "truncated"
  /** The bytes are damaged: bad signatures, inconsistent offsets, a checksum or an opcode that is wrong. */
  | "corrupt"
  /** Well formed, but something this reader does not read (compressed members, big-endian data, sparse …). */
  | "unsupported"
  /** A global outside the allow-list, or a call the allow-list does not permit: nothing is executed. */
  | "refused"
  /** The file asks for more than the reader's limits (depth, memo, size, members). */
  | "limit"
  /** A value `torchSave` cannot write (a function, a symbol, a cycle). */
  | "unserializable"
  /** A sound file whose contents do not map onto descent's (or torch's) layout; the message names the key. */
  | "mismatch";

const PREFIX: Record<TorchFormatErrorCode, string> = {
  truncated: "truncated torch file",
  corrupt: "corrupt torch file",
  unsupported: "unsupported torch file",
  refused: "refused torch file",
  limit: "torch file exceeds a limit",
  unserializable: "cannot save torch file",
  mismatch: "torch state does not map",
};

/**
 * Thrown by every function of `descent-optim/torch`; the message names the problem, `code` classifies it.
 * @example
 * // a pickle that asks for os.system: refused by name, nothing runs
 * const hostile = new Uint8Array([0x80, 2, 0x63, ...new TextEncoder().encode("os\nsystem\n"), 0x2e]);
 * let code = "";
 * try {
 *   torchLoad(hostile);
 * } catch (e) {
 *   if (e instanceof TorchFormatError) code = e.code;
 * }
 * code; // → "refused"
 */
export class TorchFormatError extends Error {
  override name = "TorchFormatError";
  readonly code: TorchFormatErrorCode;

  constructor(code: TorchFormatErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${PREFIX[code]}: ${message}`, options);
    this.code = code;
  }
}

export function fail(code: TorchFormatErrorCode, message: string): never {
  throw new TorchFormatError(code, message);
}
