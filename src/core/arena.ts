// The parameter arena: one WebAssembly memory where params, grads and optimizer state live, so the
// WebAssembly kernels can update them in place without copying (copying p and g in and out halves the
// speed of a memory-bound step).
//
// The memory is *shared* (SharedArrayBuffer-backed): growing a shared memory never detaches the typed
// arrays already handed out, so `p.data` stays valid for ever. Where shared memory is unavailable (a
// browser page that is not cross-origin isolated) there is no arena and buffers are plain typed arrays;
// the kernels then run their portable TypeScript form.
//
// Allocation is first-fit over a sorted free list with coalescing; a block is returned to the list when
// the typed array that owns it is garbage-collected (or explicitly with `releaseBuffer`).

export type Dtype = "float32" | "float64";
export type Buffer = Float32Array | Float64Array;

const PAGE = 65536;
const ALIGN = 16; // one SIMD vector
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit
const FIRST_PAGES = 16; // page 0 is kept for the kernels' scratch; allocations start at 16

interface FreeBlock {
  offset: number;
  size: number;
}

export class Arena {
  readonly memory: WebAssembly.Memory;
  /** Every SharedArrayBuffer object this memory has handed out (one per size it has had). */
  readonly #buffers = new WeakSet<ArrayBufferLike>();
  #free: FreeBlock[] = [];
  #top = PAGE; // first 64 KiB reserved for kernel scratch
  #owners = new FinalizationRegistry<number>((offset) => this.#release(offset));
  #sizes = new Map<number, number>();

  constructor(memory: WebAssembly.Memory) {
    this.memory = memory;
    this.#buffers.add(memory.buffer);
  }

  /** Bytes currently handed out. */
  get bytesInUse(): number {
    let total = 0;
    for (const size of this.#sizes.values()) total += size;
    return total;
  }

  /** True when `array` is a view on this arena's memory (so a kernel can address it by offset). */
  owns(array: ArrayBufferView): boolean {
    return this.#buffers.has(array.buffer);
  }

  alloc(length: number, dtype: Dtype): Buffer {
    const bytesPer = dtype === "float32" ? 4 : 8;
    const size = Math.max(ALIGN, Math.ceil((length * bytesPer) / ALIGN) * ALIGN);
    const offset = this.#take(size);
    this.#sizes.set(offset, size);
    const buffer = this.memory.buffer;
    this.#buffers.add(buffer);
    const array =
      dtype === "float32"
        ? new Float32Array(buffer, offset, length)
        : new Float64Array(buffer, offset, length);
    array.fill(0);
    this.#owners.register(array, offset, array);
    return array;
  }

  /** Returns an array's block to the arena now instead of waiting for garbage collection. */
  release(array: ArrayBufferView): void {
    if (!this.owns(array) || !this.#sizes.has(array.byteOffset)) return;
    this.#owners.unregister(array);
    this.#release(array.byteOffset);
  }

  #take(size: number): number {
    for (let i = 0; i < this.#free.length; i++) {
      const block = this.#free[i]!;
      if (block.size < size) continue;
      const offset = block.offset;
      if (block.size === size) this.#free.splice(i, 1);
      else {
        block.offset += size;
        block.size -= size;
      }
      return offset;
    }
    const offset = this.#top;
    const end = offset + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const needPages = Math.ceil((end - have) / PAGE);
      const current = have / PAGE;
      // grow geometrically so many small allocations do not grow page by page
      const pages = Math.min(MAX_PAGES - current, Math.max(needPages, Math.ceil(current / 2)));
      if (pages < needPages) {
        throw new RangeError(
          `descent arena: cannot allocate ${size} bytes: the 4 GiB WebAssembly memory limit is reached`,
        );
      }
      this.memory.grow(pages);
    }
    this.#top = end;
    return offset;
  }

  #release(offset: number): void {
    const size = this.#sizes.get(offset);
    if (size === undefined) return;
    this.#sizes.delete(offset);
    const free = this.#free;
    let lo = 0;
    let hi = free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (free[mid]!.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    free.splice(lo, 0, { offset, size });
    // coalesce with the next and the previous block
    const next = free[lo + 1];
    const self = free[lo]!;
    if (next && self.offset + self.size === next.offset) {
      self.size += next.size;
      free.splice(lo + 1, 1);
    }
    const prev = free[lo - 1];
    if (prev && prev.offset + prev.size === self.offset) {
      prev.size += self.size;
      free.splice(lo, 1);
    }
    // give the tail back to the bump pointer
    const last = free[free.length - 1];
    if (last && last.offset + last.size === this.#top) {
      this.#top = last.offset;
      free.pop();
    }
  }
}

function createArena(): Arena | null {
  if (typeof SharedArrayBuffer === "undefined" || typeof WebAssembly === "undefined") return null;
  try {
    return new Arena(new WebAssembly.Memory({ initial: FIRST_PAGES, maximum: MAX_PAGES, shared: true }));
  } catch {
    return null;
  }
}

let theArena: Arena | null | undefined;

/** The process-wide arena, or null where shared WebAssembly memory is unavailable. */
export function arena(): Arena | null {
  if (theArena === undefined) theArena = createArena();
  return theArena;
}

/** A zero-filled buffer of `length` elements, in the arena when there is one. */
export function allocBuffer(length: number, dtype: Dtype): Buffer {
  const a = arena();
  if (a) return a.alloc(length, dtype);
  return dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
}

/** A zero-filled buffer with the length and dtype of `like`. */
export function zerosLike(like: Buffer): Buffer {
  return allocBuffer(like.length, dtypeOf(like));
}

export function dtypeOf(buffer: Buffer): Dtype {
  return buffer instanceof Float32Array ? "float32" : "float64";
}

/** Frees an arena buffer now (optional: buffers are also freed when garbage-collected). */
export function releaseBuffer(buffer: Buffer): void {
  arena()?.release(buffer);
}
