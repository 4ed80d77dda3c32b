// Small helpers the update rules share. Each is one expression; the kernel generator inlines it at every call
// (so the generated kernels compute exactly these operations, in this order), and in TypeScript they are
// plain functions. Adding one: keep it a single `return <expression>;` over number/boolean parameters.

/** The gradient as the rule descends it: negated when maximizing (torch's `maximize`). */
export function maximized(grad: number, maximize: boolean): number {
  return maximize ? -grad : grad;
}

/** An L2 penalty added to the gradient (torch's `weight_decay` for every optimizer but the decoupled ones). */
export function withL2(grad: number, weightDecay: number, theta: number): number {
  return grad + weightDecay * theta;
}

/** `a + w·(b − a)`: torch.lerp's order of operations. */
export function lerp(a: number, b: number, w: number): number {
  return a + w * (b - a);
}

/** An exponential moving average `β·avg + (1 − β)·x`. */
export function ema(avg: number, x: number, beta: number): number {
  return beta * avg + (1 - beta) * x;
}

/** An exponential moving average of squares `β·avg + (1 − β)·x·x` (a second moment). */
export function emaSq(avg: number, x: number, beta: number): number {
  return beta * avg + (1 - beta) * x * x;
}
