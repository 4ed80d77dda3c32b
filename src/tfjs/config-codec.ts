// The optimizer config a saved TF.js model carries: which descent class to rebuild (looked up by name), its
// defaults and the adapter options, as JSON with RegExps and non-finite numbers kept, wrapped in base64.

import type { OptimizerLike, ParamGroupInit } from "../core/optimizer.js";
import { tagNumber, untagNumber } from "../core/json-number.js";
import { describe, type Parameter } from "../core/param.js";
import { optionError } from "../core/validate.js";
import { OPTIMIZER_REGISTRY } from "../optim/registry.js";

/**
 * A descent optimizer class, as `registerOptimizerClass` takes it (built from params and an options object).
 */
export type OptimizerClass = new (
  params: Parameter[] | ParamGroupInit[],
  options?: Record<string, unknown>,
) => OptimizerLike;

// the registry's rows marked tfjs: the gradient-step optimizers (no closure, no train/eval switch)
const CLASSES = new Map<string, OptimizerClass>(
  OPTIMIZER_REGISTRY.filter((row) => row.tfjs).map((row) => [row.name, row.cls as unknown as OptimizerClass]),
);

/**
 * Makes an optimizer class known to `TfjsOptimizer.fromConfig` (what `tf.loadLayersModel` calls to rebuild
 * a saved model's optimizer). The built-in element-wise optimizers are registered already.
 */
export function registerOptimizerClass(name: string, cls: OptimizerClass): void {
  if (typeof name !== "string" || name === "")
    optionError(`registerOptimizerClass: name must be a non-empty string, got ${describe(name)}`);
  if (typeof cls !== "function")
    optionError(`registerOptimizerClass: expected a class, got ${describe(cls)}`);
  CLASSES.set(name, cls);
}

/** The class registered under `name`, if any. */
export function optimizerClass(name: string): OptimizerClass | undefined {
  return CLASSES.get(name);
}

/** The name a saved optimizer is known by (its spec name for wrappers, else its class name). */
export function optimizerName(opt: OptimizerLike): string {
  const spec = (opt as unknown as { spec?: { name?: unknown } }).spec;
  return typeof spec?.name === "string" ? spec.name : (opt.constructor?.name ?? "unknown");
}

/** JSON-safe copies of option values (RegExps as { $regexp, flags }; functions dropped). */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof RegExp) return { $regexp: value.source, flags: value.flags };
  if (typeof value === "number") return tagNumber(value);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      if (typeof v !== "function" && v !== undefined) out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

/** The number a `$number` tag names; an unknown tag is corruption, named with `where`. */
export function untagged(tag: unknown, where: string): number {
  const n = untagNumber(tag);
  if (n === undefined) optionError(`${where}: unknown special number ${describe(tag)}`);
  return n;
}

export function fromJsonValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJsonValue);
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.$regexp === "string")
      return new RegExp(o.$regexp, typeof o.flags === "string" ? o.flags : "");
    if ("$number" in o) return untagged(o.$number, "TfjsOptimizer.fromConfig");
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = fromJsonValue(v);
    return out;
  }
  return value;
}

export function toBase64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(b64: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}

/** The config a descent adapter is saved with, as `decodeConfig` reads it. */
export interface AdapterConfig {
  /** The optimizer's class name (null: an adapter that was never bound). */
  optimizer: string | null;
  defaults: Record<string, unknown>;
  /** The adapter's own options (groups, clipping, …). */
  options: Record<string, unknown>;
}

/**
 * What `getConfig` returns: the config as base64 JSON (tfjs-layers camelCases every string in a loaded
 * training config, "dense_1" → "dense1"; base64 has no "_"), and the optimizer's name, for people.
 */
export function encodeConfig(config: AdapterConfig): Record<string, string | null> {
  const json = {
    optimizer: config.optimizer,
    defaults: toJsonValue(config.defaults),
    options: toJsonValue(config.options),
  };
  return { optimizer: config.optimizer, json64: toBase64(JSON.stringify(json)) };
}

/** Reads what `encodeConfig` made (or its JSON unwrapped); errors start with `where`. */
export function decodeConfig(
  config: Record<string, unknown>,
  where: string,
): AdapterConfig & { optimizer: string } {
  let parsed = config;
  if (typeof config.json64 === "string") {
    try {
      parsed = JSON.parse(fromBase64(config.json64));
    } catch (e) {
      optionError(`${where}: the config is corrupt (${(e as Error).message})`);
    }
  }
  const name = parsed?.optimizer;
  if (typeof name !== "string")
    optionError(`${where}: the config names no optimizer class, got ${describe(name)}`);
  return {
    optimizer: name,
    defaults: (fromJsonValue(parsed.defaults) ?? {}) as Record<string, unknown>,
    options: (fromJsonValue(parsed.options) ?? {}) as Record<string, unknown>,
  };
}
