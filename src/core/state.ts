// Values that optimizer and scheduler state is made of, and their deep copy / shape check.
// State dicts must be structured-clone-able and must never alias live buffers.

import type { Buffer } from "./arena.js";
import { allocBeside, arenaClock, currentBuffer, dtypeOf, releaseBuffer } from "./arena.js";

/**
 * A value in optimizer or scheduler state: numbers, booleans, strings, null, typed arrays, and arrays or
 * records of these.
 */
export type StateValue = number | boolean | string | null | Buffer | readonly StateValue[] | StateRecord;
/** A record of state values (one param's state, in torch's names camelCased). */
export interface StateRecord {
  readonly [key: string]: StateValue;
}

function isBuffer(v: unknown): v is Buffer {
  return v instanceof Float32Array || v instanceof Float64Array;
}

/** A deep copy whose typed arrays are plain (not in the arena) copies. */
export function cloneState<T extends StateValue>(value: T): T {
  if (isBuffer(value)) return value.slice() as T;
  if (Array.isArray(value)) return Array.from(value, (v) => cloneState(v)) as unknown as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, StateValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cloneState(v as StateValue);
    return out as T;
  }
  return value;
}

/**
 * A deep copy whose typed arrays are fresh buffers where `beside` (the param's data) lives: arena buffers
 * for a `param()`, plain arrays for a plain param (for loading into an optimizer; see `zerosLike`).
 */
export function materializeState<T extends StateValue>(value: T, beside: Buffer): T {
  if (isBuffer(value)) {
    const b = allocBeside(beside, value.length, dtypeOf(value));
    b.set(value);
    return b as T;
  }
  if (Array.isArray(value)) return Array.from(value, (v) => materializeState(v, beside)) as unknown as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, StateValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = materializeState(v as StateValue, beside);
    return out as T;
  }
  return value;
}

/** Re-derives, in place, every arena view inside `value` that a growth of the memory detached. */
export function refreshViews(value: unknown): void {
  if (value === null || typeof value !== "object") return;
  const entries = value as Record<string | number, unknown>;
  for (const key of Object.keys(entries)) {
    const v = entries[key];
    if (isBuffer(v)) {
      const fresh = currentBuffer(v);
      if (fresh !== v) entries[key] = fresh;
    } else if (v !== null && typeof v === "object") refreshViews(v);
  }
}

/** Returns every arena buffer inside `value` to the arena (see `releaseBuffer`). */
export function releaseViews(value: unknown): void {
  if (isBuffer(value)) {
    releaseBuffer(value);
    return;
  }
  if (value === null || typeof value !== "object") return;
  for (const v of Object.values(value)) releaseViews(v);
}

/**
 * An optimizer's per-param state: a Map whose records' buffers are re-derived after a growth of the arena
 * detached them, so `opt.state.get(p).expAvg` is always a live view (one comparison when nothing grew).
 */
export class StateMap<K, V> extends Map<K, V> {
  #generation = arenaClock.generation;

  override get(key: K): V | undefined {
    if (this.#generation !== arenaClock.generation) this.refresh();
    return super.get(key);
  }

  // a record made before the last growth (loaded state, allocated buffer by buffer) is re-derived on entry
  override set(key: K, value: V): this {
    refreshViews(value);
    return super.set(key, value);
  }

  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    if (this.#generation !== arenaClock.generation) this.refresh();
    super.forEach(fn, thisArg);
  }

  override entries(): MapIterator<[K, V]> {
    if (this.#generation !== arenaClock.generation) this.refresh();
    return super.entries();
  }

  override values(): MapIterator<V> {
    if (this.#generation !== arenaClock.generation) this.refresh();
    return super.values();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  /** Re-derives every record's buffers now. */
  refresh(): void {
    this.#generation = arenaClock.generation;
    for (const record of super.values()) refreshViews(record);
  }
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Float32Array) return "Float32Array";
  if (v instanceof Float64Array) return "Float64Array";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/**
 * Why `loaded` cannot stand where `template` does (same keys, same kinds, same buffer lengths and
 * dtypes), or null when it can. Arrays may differ in length when `flexibleArrays` is set (LBFGS history).
 */
export function stateMismatch(
  loaded: unknown,
  template: unknown,
  path: string,
  flexibleArrays = false,
): string | null {
  const lk = kind(loaded);
  const tk = kind(template);
  if (tk === "null") return null; // the template has no opinion (e.g. a lazily created entry)
  if (lk !== tk) {
    if (tk === "number" && lk === "null") return null;
    return `${path}: expected ${tk}, got ${lk}`;
  }
  if (isBuffer(template)) {
    const l = loaded as Buffer;
    if (l.length !== template.length) return `${path}: expected ${template.length} elements, got ${l.length}`;
    return null;
  }
  if (Array.isArray(template)) {
    const l = loaded as unknown[];
    if (!flexibleArrays && l.length !== template.length) {
      return `${path}: expected ${template.length} entries, got ${l.length}`;
    }
    if (template.length > 0) {
      for (let i = 0; i < l.length; i++) {
        const why = stateMismatch(
          l[i],
          template[Math.min(i, template.length - 1)],
          `${path}[${i}]`,
          flexibleArrays,
        );
        if (why) return why;
      }
    }
    return null;
  }
  if (tk === "object") {
    const l = loaded as Record<string, unknown>;
    const t = template as Record<string, unknown>;
    for (const key of Object.keys(t)) {
      if (!Object.hasOwn(l, key)) return `${path}: missing key '${key}'`;
      const why = stateMismatch(l[key], t[key], `${path}.${key}`, flexibleArrays);
      if (why) return why;
      // a step count drives bias corrections and schedules: NaN, −1, 2.5 or 1e300 (past 2^53 a step
      // no longer counts) can only be corruption
      if (key === "step" && typeof t[key] === "number") {
        const step = l[key];
        if (typeof step === "number" && !(Number.isSafeInteger(step) && step >= 0)) {
          return `${path}.step: expected a non-negative integer, got ${step} (a step count stays below 2^53)`;
        }
      }
    }
    for (const key of Object.keys(l)) {
      if (!Object.hasOwn(t, key)) return `${path}: unexpected key '${key}'`;
    }
  }
  return null;
}
