// What an `applyGradients` call names, for both TF.js adapters: the gradients as [variable name, tensor]
// pairs (TF.js passes a map or a list), and the registered variables of those names for a first bind.

import { engine, type NamedTensorMap, type Tensor, type Variable } from "@tensorflow/tfjs-core";
import { optionError } from "../core/validate.js";
import type { NamedTensor } from "./weights.js";

/** The gradients of an `applyGradients` call as [variable name, gradient] pairs, in the order given. */
export function gradientEntries(variableGradients: NamedTensorMap | NamedTensor[]): Array<[string, Tensor]> {
  return Array.isArray(variableGradients)
    ? variableGradients.map((g) => [g.name, g.tensor])
    : Object.entries(variableGradients);
}

/** The registered TF.js variables the gradients name, refused by name (`who` says where) when one is not. */
export function variablesNamed(grads: ReadonlyArray<[string, Tensor]>, who: string): Variable[] {
  const registered = engine().registeredVariables;
  return grads.map(([name]) => {
    const v = registered[name];
    if (v === undefined) optionError(`${who}: no variable named '${name}' to bind to`);
    return v;
  });
}
