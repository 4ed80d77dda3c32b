// The optimizer classes by their torch name, for driving table tests from fixtures.

import type { Optimizer, ParamGroupInit } from "../../src/index.js";
import { Adagrad, Adam, AdamW, RMSprop, SGD } from "../../src/index.js";
import { Adadelta, Adafactor, Adamax, ASGD, LBFGS, NAdam, RAdam, Rprop } from "../../src/index.js";

type Ctor = (groups: ParamGroupInit[], options: Record<string, unknown>) => Optimizer;

export const OPTIMIZERS: Record<string, Ctor> = {
  SGD: (g, o) => new SGD(g, o) as unknown as Optimizer,
  Adam: (g, o) => new Adam(g, o) as unknown as Optimizer,
  AdamW: (g, o) => new AdamW(g, o) as unknown as Optimizer,
  Adagrad: (g, o) => new Adagrad(g, o) as unknown as Optimizer,
  RMSprop: (g, o) => new RMSprop(g, o) as unknown as Optimizer,
  Adadelta: (g, o) => new Adadelta(g, o) as unknown as Optimizer,
  Adamax: (g, o) => new Adamax(g, o) as unknown as Optimizer,
  NAdam: (g, o) => new NAdam(g, o) as unknown as Optimizer,
  RAdam: (g, o) => new RAdam(g, o) as unknown as Optimizer,
  Rprop: (g, o) => new Rprop(g, o) as unknown as Optimizer,
  ASGD: (g, o) => new ASGD(g, o) as unknown as Optimizer,
  Adafactor: (g, o) => new Adafactor(g, o) as unknown as Optimizer,
  LBFGS: (g, o) => new LBFGS(g, o) as unknown as Optimizer,
};
