// descent-optim/torch: read and write torch.save files on bytes, in Node and in the browser, and map their
// optimizer, scheduler and model state onto descent's. Depends on the core, never the reverse.

export {
  allowedGlobals,
  DEFAULT_PICKLE_LIMITS,
  type PickleLimits,
  type PickleValue,
  TorchGlobal,
  Tuple,
} from "./pickle.js";
export {
  DTYPES,
  type DtypeInfo,
  type TensorArray,
  type ToArrayOptions,
  type TorchDtype,
  TorchStorage,
  TorchTensor,
  torchTensor,
} from "./tensor.js";
export { TorchFormatError, type TorchFormatErrorCode } from "./torch-format-error.js";
export { type TorchLoadOptions, torchLoad } from "./torch-load.js";
export { type TorchSaveOptions, torchSave } from "./torch-save.js";
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from "./zip.js";
export {
  type FromTorchModelOptions,
  fromTorchModelState,
  toTorchModelState,
} from "./model-state.js";
export {
  camelName,
  fromTorchOptimizerState,
  TORCH_OPTIMIZERS,
  type TorchOptimizerInfo,
  type ToTorchOptimizerOptions,
  type TorchVersion,
  toTorchOptimizerState,
  torchName,
} from "./optimizer-state.js";
export { loadTorchRun, type TorchRun, toTorchRun } from "./run-state.js";
export { safetensorsToTorch, torchToSafetensors } from "./convert.js";
