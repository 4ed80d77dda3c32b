// The optimizer classes by their torch name, for driving table tests from fixtures: the registry's rows
// that torch has.

import type { Optimizer, ParamGroupInit } from "../../src/index.js";
import { OPTIMIZER_REGISTRY } from "../../src/optim/registry.js";

type Ctor = (groups: ParamGroupInit[], options: Record<string, unknown>) => Optimizer;

export const OPTIMIZERS: Record<string, Ctor> = Object.fromEntries(
  OPTIMIZER_REGISTRY.filter((row) => row.torch).map((row) => [
    row.name,
    ((g, o) => new row.cls(g, o) as unknown as Optimizer) satisfies Ctor,
  ]),
);
