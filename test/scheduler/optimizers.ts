// Small optimizers for scheduler tests: SGD (with momentum) or Adam over one scalar param per group.

import { param } from "../../src/core/param.js";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";

export function sgd(lrs: readonly number[] = [0.1], momentum = 0.9): SGD {
  return new SGD(
    lrs.map((lr, i) => ({ params: [param([i])], lr })),
    { lr: 0.1, momentum },
  );
}

export function adam(lrs: readonly number[] = [0.001]): Adam {
  return new Adam(
    lrs.map((lr, i) => ({ params: [param([i])], lr })),
    {},
  );
}

export function lrs(o: { paramGroups: Array<{ lr: number }> }): number[] {
  return o.paramGroups.map((g) => g.lr);
}
