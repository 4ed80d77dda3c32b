// CRC-32 (IEEE 802.3, the polynomial zlib, gzip and PNG use): detects every burst error of up to 32 bits
// and random corruption with probability 1 − 2⁻³². Table-driven, no dependencies.

let table: Uint32Array | null = null;

function crcTable(): Uint32Array {
  if (table !== null) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * The CRC-32 of `bytes`, continuing from `previous` (the CRC of the bytes before them) when given.
 * @example
 * crc32(new TextEncoder().encode("123456789")); // → 3421780262 (0xcbf43926, the standard check value)
 * const first = new TextEncoder().encode("1234");
 * const second = new TextEncoder().encode("56789");
 * crc32(second, crc32(first)) === crc32(new TextEncoder().encode("123456789")); // → true
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const t = crcTable();
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
