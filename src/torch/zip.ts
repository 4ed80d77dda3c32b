// The zip container of torch.save (PyTorch ≥ 1.6): every member stored uncompressed under one folder
// ("archive/", or the file's base name), each member's data 64-byte aligned by padding the local header's
// extra field (id "FB", filled with 'Z'), as torch's writer (miniz) does. torch's writer also uses data
// descriptors and a zip64 end record; the reader takes sizes from the central directory and accepts both.
//
// Only stored members are read: torch never compresses, and refusing compression means a member can never
// expand beyond the bytes it occupies (no zip bomb). Members may not overlap (each byte is checksummed once),
// names may not climb out of the archive ("../", absolute paths), and the CRC-32 of every member is checked.

import { crc32 } from "../checkpoint/crc32.js";
import { fail } from "./torch-format-error.js";

/** Limits on what a zip may ask of the reader. */
export interface ZipLimits {
  /** Most members read (torch files have a few plus one per storage). */
  maxMembers: number;
}

/** The zip reader's default limit: at most a million members. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxMembers: 1_000_000 };

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const END64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const ALIGN = 64;

/** Whether `bytes` start like a zip file (a local header or an empty archive's end record). */
export function isZip(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const sig = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  return sig === LOCAL || sig === END;
}

function u64(view: DataView, at: number, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail("corrupt", `${what} ${v} is beyond any file`);
  return Number(v);
}

/** The members of a zip, by name, as views into `bytes` (nothing is copied). */
export function readZip(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  if (n < 22) fail("truncated", `${n} bytes is shorter than a zip end record`);
  let end = -1;
  for (let at = n - 22; at >= Math.max(0, n - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === END && at + 22 + view.getUint16(at + 20, true) === n) {
      end = at;
      break;
    }
  }
  if (end < 0) fail("corrupt", "no zip end-of-central-directory record");
  let count = view.getUint16(end + 10, true);
  let cdSize = view.getUint32(end + 12, true);
  let cdOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = end - 20;
    if (loc < 0 || view.getUint32(loc, true) !== LOCATOR64) fail("corrupt", "zip64 end locator missing");
    const end64 = u64(view, loc + 8, "zip64 end record offset");
    if (end64 + 56 > n || view.getUint32(end64, true) !== END64) fail("corrupt", "zip64 end record missing");
    count = u64(view, end64 + 32, "zip64 member count");
    cdSize = u64(view, end64 + 40, "zip64 central directory size");
    cdOffset = u64(view, end64 + 48, "zip64 central directory offset");
  }
  if (count > limits.maxMembers) fail("limit", `${count} members (the limit is ${limits.maxMembers})`);
  if (cdOffset + cdSize > n) fail("truncated", "the central directory runs past the end of the file");
  const members = new Map<string, Uint8Array>();
  const crcs = new Map<string, number>();
  const ranges: Array<[number, number, string]> = [];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > n || view.getUint32(at, true) !== CENTRAL)
      fail("corrupt", `central directory entry ${i} is damaged`);
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    let compressed = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let local = view.getUint32(at + 42, true);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > n) fail("truncated", `central directory entry ${i} runs past the end of the file`);
    let name: string;
    try {
      name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    } catch {
      fail("corrupt", `member ${i} has a name that is not UTF-8`);
    }
    // zip64 sizes and offset, in that order, for the fields that are 0xffffffff
    let x = at + 46 + nameLength;
    const extraEnd = x + extraLength;
    while (x + 4 <= extraEnd) {
      const id = view.getUint16(x, true);
      const len = view.getUint16(x + 2, true);
      if (id === 1) {
        let y = x + 4;
        const take = (what: string): number => {
          if (y + 8 > x + 4 + len) fail("corrupt", `member '${name}': short zip64 field`);
          const v = u64(view, y, `member '${name}' ${what}`);
          y += 8;
          return v;
        };
        if (size === 0xffffffff) size = take("size");
        if (compressed === 0xffffffff) compressed = take("compressed size");
        if (local === 0xffffffff) local = take("offset");
      }
      x += 4 + len;
    }
    checkName(name);
    if (flags & 1) fail("unsupported", `member '${name}' is encrypted`);
    if (method !== 0) {
      fail(
        "unsupported",
        `member '${name}' is compressed (method ${method}); torch.save stores members uncompressed`,
      );
    }
    if (compressed !== size)
      fail("corrupt", `member '${name}' is stored but its sizes differ (${compressed} ≠ ${size})`);
    if (local + 30 > n || view.getUint32(local, true) !== LOCAL)
      fail("corrupt", `member '${name}': bad local header`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + size > n) fail("truncated", `member '${name}' (${size} bytes) runs past the end of the file`);
    if (members.has(name)) fail("corrupt", `member '${name}' appears twice`);
    ranges.push([local, start + size, name]);
    members.set(name, bytes.subarray(start, start + size));
    crcs.set(name, crc);
    at = next;
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]![0] < ranges[i - 1]![1])
      fail("corrupt", `members '${ranges[i - 1]![2]}' and '${ranges[i]![2]}' overlap`);
  }
  for (const [name, data] of members) {
    if (crc32(data) !== crcs.get(name)) fail("corrupt", `member '${name}' fails its CRC-32 check`);
  }
  return members;
}

function checkName(name: string): void {
  const parts = name.split(/[/\\]/);
  if (
    name.startsWith("/") ||
    name.includes("\\") ||
    /^[A-Za-z]:/.test(name) ||
    parts.includes("..") ||
    name.includes("\0")
  ) {
    fail("refused", `member name '${name}' leaves the archive folder`);
  }
}

/** A zip of stored members, each member's data 64-byte aligned as torch writes them. */
export function writeZip(members: ReadonlyArray<readonly [string, Uint8Array]>): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of members) {
    const nameBytes = encoder.encode(name);
    const pad = (ALIGN - ((offset + 30 + nameBytes.length + 4) % ALIGN)) % ALIGN;
    const extra = new Uint8Array(4 + pad).fill(0x5a);
    new DataView(extra.buffer).setUint16(0, 0x4246, true); // "FB"
    new DataView(extra.buffer).setUint16(2, pad, true);
    const crc = crc32(data);
    const header = new Uint8Array(30 + nameBytes.length + extra.length);
    const h = new DataView(header.buffer);
    h.setUint32(0, LOCAL, true);
    h.setUint16(4, 20, true);
    h.setUint16(6, 0x0800, true); // UTF-8 names
    h.setUint32(14, crc, true);
    h.setUint32(18, data.length, true);
    h.setUint32(22, data.length, true);
    h.setUint16(26, nameBytes.length, true);
    h.setUint16(28, extra.length, true);
    header.set(nameBytes, 30);
    header.set(extra, 30 + nameBytes.length);
    const entry = new Uint8Array(46 + nameBytes.length);
    const c = new DataView(entry.buffer);
    c.setUint32(0, CENTRAL, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, 0x0800, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, data.length, true);
    c.setUint32(24, data.length, true);
    c.setUint16(28, nameBytes.length, true);
    c.setUint32(42, offset, true);
    entry.set(nameBytes, 46);
    parts.push(header, data);
    central.push(entry);
    offset += header.length + data.length;
  }
  const cdSize = central.reduce((s, e) => s + e.length, 0);
  if (offset + cdSize > 0xffffffff || members.length > 0xffff) {
    fail(
      "limit",
      "the file would need zip64 (over 4 GiB or 65535 members), which this writer does not write",
    );
  }
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, END, true);
  e.setUint16(8, members.length, true);
  e.setUint16(10, members.length, true);
  e.setUint32(12, cdSize, true);
  e.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let at = 0;
  for (const p of [...parts, ...central, end]) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
