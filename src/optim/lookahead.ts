// Lookahead (Zhang, Lucas, Hinton & Ba, 2019, "Lookahead Optimizer: k steps forward, 1 step back",
// https://arxiv.org/abs/1907.08610, Algorithm 1): the inner optimizer moves the fast weights θ; every k
// steps the slow weights φ move part of the way toward them and the fast weights restart from there:
//   φ = φ + α·(θ − φ);  θ = φ
// φ starts as the params at wrap time (the paper's φ₀ = θ₀; implementations that create φ at the first
// sync make their first sync a no-op). α = 1 is the inner optimizer alone. Every call to step() counts,
// including one that an inner SkipNonFinite skipped.

import type { Buffer } from "../core/arena.js";
import { plainZerosLike } from "../core/arena.js";
import type { OptimizerLike } from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { checkOptions, inRange, integer } from "../core/validate.js";
import { isBuffer, OptimizerWrapper } from "./optimizer-wrapper.js";

/** Options of `Lookahead` (defaults in `LOOKAHEAD_DEFAULTS`: k 5, alpha 0.5, as in the paper). */
export interface LookaheadOptions {
  /** Inner steps between syncs. */
  k: number;
  /** How far the slow weights move toward the fast ones at a sync, in [0, 1]. */
  alpha: number;
}

export const LOOKAHEAD_DEFAULTS: Readonly<LookaheadOptions> = Object.freeze({ k: 5, alpha: 0.5 });

function validate(o: LookaheadOptions): void {
  integer(o.k, "lookahead steps", 1);
  inRange(o.alpha, 0, 1, "slow update rate", true);
}

/** The fused sync loop: φ = φ + α·(θ − φ), θ = φ. */
export function lookaheadUpdate(n: number, param: Buffer, slow: Buffer, alpha: number): void {
  for (let i = 0; i < n; i++) {
    const s = slow[i]! + alpha * (param[i]! - slow[i]!);
    slow[i] = s;
    param[i] = s;
  }
}

/**
 * Lookahead over any optimizer: steadier progress and less sensitivity to the inner lr, for one extra copy
 * of the params.
 * @example
 * const w = param([1]);
 * const opt = new Lookahead(new SGD([w], { lr: 0.1 }), { k: 2, alpha: 0.5 });
 * w.grad = new Float32Array([1]);
 * opt.step(); // fast weights: 0.9
 * opt.step(); // fast 0.8, then every k-th step: slow += alpha·(fast − slow), params = slow
 * w.data[0]; // → 0.9
 */
export class Lookahead<I extends OptimizerLike = OptimizerLike> extends OptimizerWrapper<I> {
  protected readonly name = "Lookahead";
  protected readonly stateKey = "lookahead";
  k: number;
  alpha: number;
  #step = 0;
  readonly #slow = new Map<Param, Buffer>();

  constructor(inner: I, options: Partial<LookaheadOptions> = {}) {
    super(inner, "Lookahead");
    checkOptions(options, Object.keys(LOOKAHEAD_DEFAULTS), "Lookahead");
    const o = { k: options.k ?? LOOKAHEAD_DEFAULTS.k, alpha: options.alpha ?? LOOKAHEAD_DEFAULTS.alpha };
    validate(o);
    this.k = o.k;
    this.alpha = o.alpha;
    this.onParamsAdded(this.orderedParams());
  }

  protected override onParamsAdded(params: readonly Param[]): void {
    for (const p of params) {
      if (this.#slow.has(p)) continue;
      const slow = plainZerosLike(p.data);
      slow.set(p.data);
      this.#slow.set(p, slow);
    }
  }

  /** Inner steps taken (the sync happens when this reaches a multiple of k). */
  get stepCount(): number {
    return this.#step;
  }

  /** The slow weights of `p` (a live buffer), or undefined for a param the wrapper does not know. */
  slowParam(p: Param): Buffer | undefined {
    return this.#slow.get(p);
  }

  /**
   * Steps the inner optimizer; every k-th step moves the slow weights toward the fast ones and copies them
   * back.
   */
  step(closure?: () => number): number | undefined {
    this.checkLive("step");
    validate(this); // k and alpha are public: check before the inner step changes anything
    const loss = this.inner.step(closure);
    this.#step += 1;
    if (this.#step % this.k === 0) {
      const params = this.orderedParams();
      this.onParamsAdded(params); // params added to the inner optimizer directly start their slow copy now
      for (const p of params) lookaheadUpdate(p.data.length, p.data, this.#slow.get(p)!, this.alpha);
    }
    this.runStepPostHooks();
    return loss;
  }

  protected override disposeOwn(): void {
    this.#slow.clear();
  }

  protected ownState(): Record<string, unknown> {
    return {
      k: this.k,
      alpha: this.alpha,
      step: this.#step,
      slowParams: this.orderedParams().map((p) => this.#slow.get(p)?.slice() ?? null),
    };
  }

  protected prepareLoad(own: unknown, bad: (why: string) => never): () => void {
    if (own === null || typeof own !== "object") bad(`'lookahead' must be an object, got ${describe(own)}`);
    const o = own as { k?: unknown; alpha?: unknown; step?: unknown; slowParams?: unknown };
    try {
      validate({ k: o.k, alpha: o.alpha } as LookaheadOptions);
    } catch (e) {
      bad((e as Error).message);
    }
    if (!Number.isInteger(o.step) || (o.step as number) < 0)
      bad(`lookahead.step must be a non-negative integer, got ${describe(o.step)}`);
    const params = this.orderedParams();
    const slow = o.slowParams;
    if (!Array.isArray(slow) || slow.length !== params.length)
      bad(`lookahead.slowParams must have one entry per param (${params.length}), got ${describe(slow)}`);
    params.forEach((p, i) => {
      const s = (slow as unknown[])[i];
      if (s === null) return;
      if (!isBuffer(s) || s.constructor !== p.data.constructor || s.length !== p.data.length) {
        bad(
          `lookahead.slowParams[${i}]: expected a ${p.data.constructor.name} of length ${p.data.length}, got ${describe(s)}`,
        );
      }
    });
    return () => {
      this.k = o.k as number;
      this.alpha = o.alpha as number;
      this.#step = o.step as number;
      params.forEach((p, i) => {
        const s = (slow as Array<Buffer | null>)[i];
        if (s === null || s === undefined) {
          this.#slow.delete(p);
          this.onParamsAdded([p]);
          return;
        }
        const mine = this.#slow.get(p) ?? plainZerosLike(p.data);
        mine.set(s);
        this.#slow.set(p, mine);
      });
    };
  }
}
