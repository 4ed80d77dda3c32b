// The parameter arena: one WebAssembly memory where params, grads and optimizer state live, so the
// WebAssembly kernels can update them in place without copying (copying p and g in and out halves the
// speed of a memory-bound step).
//
// The memory is an ordinary (non-shared) WebAssembly.Memory, so it exists on every page (no cross-origin
// isolation needed) and a clone or a posted message of a view copies. Growing such a memory detaches every
// view on it: each owner of a view (a Parameter, an optimizer's state map) re-derives it from `current()`
// when `arenaClock.generation` has moved, which costs one comparison per access. Only `share()` (called by
// useThreads) moves the arena to a shared memory, whose views the workers can see.
//
// Memory comes back in two ways, and a block is never handed out again while a view a user may hold can
// still reach it:
// - `release(view)` (Parameter.dispose, Optimizer.dispose, releaseBuffer) puts the block in quarantine;
// - when every view the arena made of a block has been garbage-collected, the block goes to quarantine too.
// Quarantined blocks join the free list only at the next detach of the memory (a growth, or `grow(0)`
// when quarantine alone can satisfy an allocation): any view of them a user kept (a subarray, an old
// `p.data`) is then detached, and a clone never aliased the memory. A shared memory never detaches, so
// after `share()` freed blocks are reused at once (the caller promised, by disposing, not to look again)
// and collected blocks are never reused.
//
// Allocation is first-fit over a sorted free list with coalescing.

/** The element type of a param and of its state buffers: torch's `torch.float32` or `torch.float64`. */
export type Dtype = "float32" | "float64";
/** A param's values, its gradient or a state buffer: a `Float32Array` or `Float64Array` (see `Dtype`). */
export type Buffer = Float32Array | Float64Array;

const PAGE = 65536;
const ALIGN = 16; // one SIMD vector
const MAX_PAGES = 65536; // 4 GiB, the wasm32 limit
const FIRST_PAGES = 16; // page 0 is kept for the kernels' scratch; allocations start at 16

interface FreeBlock {
  offset: number;
  size: number;
}

/** One allocation: where it lives and how many views of it are alive. */
interface Block {
  readonly offset: number;
  readonly size: number;
  readonly length: number;
  readonly dtype: Dtype;
  views: number;
  freed: boolean;
}

/**
 * Bumped whenever the arena's memory buffer changes (growth, `share()`): every view made before is then
 * detached (non-shared memory) and must be re-derived with `current()`.
 */
export const arenaClock = { generation: 0 };

/**
 * For tests: detach the memory at every allocation, so that a view held across an allocation fails every
 * time, not only when garbage collection happened to quarantine a block first. Not part of the public API.
 * @internal
 */
export const arenaStress = { detachEveryAllocation: false };

/** The arena cannot allocate: `bytes` is the size of the allocation that failed. */
export class ArenaAllocationError extends RangeError {
  readonly bytes: number;

  constructor(message: string, bytes: number) {
    super(message);
    this.name = "RangeError";
    this.bytes = bytes;
  }
}

/** The logs of the callers recording (see `logAllocations`), outermost first: each gets every buffer. */
const allocationLogs: Buffer[][] = [];

export class Arena {
  #memory: WebAssembly.Memory;
  #shared: boolean;
  #buffer: ArrayBuffer | SharedArrayBuffer;
  #free: FreeBlock[] = [];
  #quarantine: Block[] = [];
  #top = PAGE; // first 64 KiB reserved for kernel scratch
  #blocks = new WeakMap<ArrayBufferView, Block>();
  #inUse = 0;
  #collected = new FinalizationRegistry<Block>((block) => this.#viewCollected(block));
  /** The most bytes the memory may grow to (4 GiB, the wasm32 limit; lowered only by tests). */
  maxBytes = MAX_PAGES * PAGE;

  constructor(memory: WebAssembly.Memory, shared = false) {
    this.#memory = memory;
    this.#shared = shared;
    this.#buffer = memory.buffer;
  }

  /** The memory the kernels run over (replaced by `share()`). */
  get memory(): WebAssembly.Memory {
    return this.#memory;
  }

  /** True once the arena lives in shared memory (threads). */
  get shared(): boolean {
    return this.#shared;
  }

  /** Bytes currently handed out (quarantined blocks excluded). */
  get bytesInUse(): number {
    return this.#inUse;
  }

  /** Bytes freed but not yet reusable (waiting for the next detach of the memory). */
  get bytesQuarantined(): number {
    let total = 0;
    for (const b of this.#quarantine) total += b.size;
    return total;
  }

  /** Bytes that can still be allocated: free blocks, quarantine, and the room up to `maxBytes`. */
  get bytesAvailable(): number {
    let total = this.maxBytes - this.#top + this.bytesQuarantined;
    for (const b of this.#free) total += b.size;
    return total;
  }

  /** True when `array` is a live view on this arena's current memory (so a kernel can address it). */
  owns(array: ArrayBufferView): boolean {
    return array.buffer === this.#buffer;
  }

  /** True when the arena made `array` (a view of one of its blocks, live or detached by a growth). */
  made(array: ArrayBufferView): boolean {
    return this.#blocks.has(array);
  }

  alloc(length: number, dtype: Dtype): Buffer {
    const bytesPer = dtype === "float32" ? 4 : 8;
    const size = Math.max(ALIGN, Math.ceil((length * bytesPer) / ALIGN) * ALIGN);
    const offset = this.#take(size);
    const block: Block = { offset, size, length, dtype, views: 0, freed: false };
    this.#inUse += size;
    const array = this.#view(block);
    array.fill(0);
    for (let i = 0; i < allocationLogs.length; i++) allocationLogs[i]!.push(array);
    return array;
  }

  /**
   * `array` itself when it is a view on the current memory, else a fresh view of the same block (after a
   * growth detached it). Arrays that are not the arena's come back unchanged.
   */
  current<B extends Buffer>(array: B): B {
    if (array.buffer === this.#buffer) return array;
    const block = this.#blocks.get(array);
    if (block === undefined) return array;
    if (block.freed) throw new Error("descent arena: this buffer was disposed");
    return this.#view(block) as B;
  }

  /** True when `array` is an arena buffer that was disposed. */
  isFreed(array: ArrayBufferView): boolean {
    return this.#blocks.get(array)?.freed === true;
  }

  /** Returns an array's block to the arena now instead of waiting for garbage collection. */
  release(array: ArrayBufferView): void {
    const block = this.#blocks.get(array);
    if (block === undefined || block.freed) return;
    block.freed = true;
    this.#inUse -= block.size;
    if (this.#shared) this.#release(block.offset, block.size);
    else this.#quarantine.push(block);
  }

  /** Bytes an allocation of `length` elements of `dtype` takes (for error messages and reservations). */
  static bytesFor(length: number, dtype: Dtype): number {
    const bytesPer = dtype === "float32" ? 4 : 8;
    return Math.max(ALIGN, Math.ceil((length * bytesPer) / ALIGN) * ALIGN);
  }

  /**
   * Moves the arena into a shared memory (for worker threads), copying its contents. Every existing view
   * is detached (the old memory is detached with `grow(0)`), so no one keeps writing into the old copy.
   */
  share(): void {
    if (this.#shared) return;
    const old = this.#memory;
    const pages = old.buffer.byteLength / PAGE;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
    new Uint8Array(memory.buffer).set(new Uint8Array(old.buffer, 0, this.#top));
    this.#memory = memory;
    this.#shared = true;
    old.grow(0);
    this.#detached();
  }

  #view(block: Block): Buffer {
    const buffer = this.#buffer;
    const array =
      block.dtype === "float32"
        ? new Float32Array(buffer, block.offset, block.length)
        : new Float64Array(buffer, block.offset, block.length);
    this.#blocks.set(array, block);
    block.views += 1;
    this.#collected.register(array, block);
    return array;
  }

  #viewCollected(block: Block): void {
    block.views -= 1;
    if (block.views > 0 || block.freed) return;
    block.freed = true;
    this.#inUse -= block.size;
    // a collected block of shared memory may still be reachable through a clone that shares it
    if (!this.#shared) this.#quarantine.push(block);
  }

  /** The memory's buffer changed: old views are detached, so quarantined blocks are free now. */
  #detached(): void {
    this.#buffer = this.#memory.buffer;
    arenaClock.generation += 1;
    const quarantine = this.#quarantine;
    this.#quarantine = [];
    for (const block of quarantine) this.#release(block.offset, block.size);
  }

  #fit(size: number): number {
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
    return -1;
  }

  #take(size: number): number {
    if (arenaStress.detachEveryAllocation && !this.#shared) {
      this.#memory.grow(0);
      this.#detached();
    }
    let offset = this.#fit(size);
    if (offset >= 0) return offset;
    if (this.#quarantine.length > 0 && !this.#shared) {
      // detach without growing, so that the quarantined blocks can be reused safely
      this.#memory.grow(0);
      this.#detached();
      offset = this.#fit(size);
      if (offset >= 0) return offset;
    }
    offset = this.#top;
    const end = offset + size;
    const have = this.#memory.buffer.byteLength;
    if (end > have) {
      const needPages = Math.ceil((end - have) / PAGE);
      const current = have / PAGE;
      // grow geometrically (doubling) so that growths, which detach every view, stay rare
      const maxPages = Math.min(MAX_PAGES, Math.floor(this.maxBytes / PAGE));
      const pages = Math.min(maxPages - current, Math.max(needPages, current));
      if (pages < needPages) {
        throw new ArenaAllocationError(
          `descent arena: cannot allocate ${size} bytes: the WebAssembly memory limit (${this.maxBytes} bytes) is reached ` +
            `(${this.#inUse} bytes in use; dispose() params and optimizers you no longer need)`,
          size,
        );
      }
      try {
        this.#memory.grow(pages);
      } catch {
        try {
          this.#memory.grow(needPages);
        } catch {
          throw new ArenaAllocationError(
            `descent arena: cannot allocate ${size} bytes: the engine refused to grow WebAssembly memory ` +
              `to ${(current + needPages) * PAGE} bytes (${this.#inUse} bytes in use)`,
            size,
          );
        }
      }
      if (this.#memory.buffer !== this.#buffer) this.#detached();
    }
    this.#top = end;
    return offset;
  }

  #release(offset: number, size: number): void {
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

function createArena(reserveBytes = 0): Arena | null {
  if (typeof WebAssembly === "undefined") return null;
  const wanted = Math.min(MAX_PAGES, Math.max(FIRST_PAGES, Math.ceil((PAGE + reserveBytes) / PAGE)));
  // an engine that will not hand out that much at once still gets the small arena
  for (const initial of wanted > FIRST_PAGES ? [wanted, FIRST_PAGES] : [FIRST_PAGES]) {
    try {
      return new Arena(new WebAssembly.Memory({ initial, maximum: MAX_PAGES }));
    } catch {}
  }
  return null;
}

let theArena: Arena | null | undefined;

/**
 * Creates the arena with room for `bytes` of allocations, where it does not exist yet. Creating a memory
 * detaches nothing, where growing one detaches its buffer, and one detach anywhere makes V8's typed-array
 * code slower for the whole process, TF.js's cpu kernels too (docs/ARCHITECTURE.md, "What detaching
 * costs"). For a caller that knows its total before it allocates: the TF.js adapter (its params, their
 * grads and state). Does nothing once the arena exists. The room is address space: pages no allocation
 * touched are not resident.
 */
export function reserveArena(bytes: number): void {
  if (theArena === undefined) theArena = createArena(bytes);
}

/** The process-wide arena, or null where WebAssembly is unavailable. */
export function arena(): Arena | null {
  if (theArena === undefined) theArena = createArena();
  return theArena;
}

/** While `plainAllocations` runs: `allocBuffer` hands out plain typed arrays. */
let plainOnly = false;

/**
 * Runs `fn` with `allocBuffer` (and so `zerosLike`) handing out plain typed arrays instead of arena
 * buffers: for state that is only looked at, never stepped (the template a loaded state is checked
 * against), so that making it takes nothing from the arena and detaches no view.
 */
export function plainAllocations<T>(fn: () => T): T {
  const outer = plainOnly;
  plainOnly = true;
  try {
    return fn();
  } finally {
    plainOnly = outer;
  }
}

/** A zero-filled buffer of `length` elements, in the arena when there is one (see `plainAllocations`). */
export function allocBuffer(length: number, dtype: Dtype): Buffer {
  const a = plainOnly ? null : arena();
  if (a) return a.alloc(length, dtype);
  return dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
}

/**
 * Runs `fn`, appending to `log` every arena buffer it allocates (so a caller can undo what `fn` did), also
 * those that a `logAllocations` inside `fn` records in its own log.
 */
export function logAllocations<T>(log: Buffer[], fn: () => T): T {
  allocationLogs.push(log);
  try {
    return fn();
  } finally {
    allocationLogs.pop();
  }
}

/**
 * A zero-filled buffer with the length and dtype of `like`, where `like` lives: in the arena for an arena
 * buffer (a `param()`'s data: its state is then where the kernels can reach it), a plain typed array for a
 * plain one. A plain param runs the TypeScript rule whatever its state, so putting its state in the arena
 * would only grow, and so detach, the arena's memory, and one detach anywhere makes V8's typed-array code
 * slower for the whole process (docs/ARCHITECTURE.md, "What detaching costs").
 */
export function zerosLike(like: Buffer): Buffer {
  return allocBeside(like, like.length, dtypeOf(like));
}

/** A zero-filled buffer of `length` elements of `dtype`, where `like` lives (see `zerosLike`). */
export function allocBeside(like: Buffer, length: number, dtype: Dtype): Buffer {
  if (theArena?.made(like) !== true) return plainBuffer(length, dtype);
  return allocBuffer(length, dtype);
}

/** A zero-filled plain typed array (outside the arena, so never detached), for buffers no kernel reads. */
export function plainBuffer(length: number, dtype: Dtype): Buffer {
  return dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
}

/** A zero-filled plain typed array with the length and dtype of `like`. */
export function plainZerosLike(like: Buffer): Buffer {
  return plainBuffer(like.length, dtypeOf(like));
}

/** `buffer`, re-derived if a growth of the arena's memory detached it. */
export function currentBuffer<B extends Buffer>(buffer: B): B {
  return theArena ? theArena.current(buffer) : buffer;
}

export function dtypeOf(buffer: Buffer): Dtype {
  return buffer instanceof Float32Array ? "float32" : "float64";
}

/**
 * Returns an arena buffer's memory now (it is reused only after every view of it is detached). Using the
 * buffer afterwards is an error; plain typed arrays are left alone.
 */
export function releaseBuffer(buffer: Buffer): void {
  arena()?.release(buffer);
}
