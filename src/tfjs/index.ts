// descent-optim/tfjs: descent's optimizers and schedulers for TensorFlow.js models. Named re-exports only.

export {
  type LayerVariableLike,
  type NamedTensor,
  type OptimizerFactory,
  registerOptimizerClass,
  type TfjsGroupSpec,
  TfjsOptimizer,
  type TfjsOptimizerOptions,
  type TfjsVariable,
} from "./tfjs-optimizer.js";
export type { WriteMode } from "./transfer.js";
export type { OptimizerClass } from "./config-codec.js";
export { loadTfjsCheckpoint, saveTfjsCheckpoint, type TfjsCheckpointOptions } from "./checkpoint.js";
export {
  type SchedulerCallbackHooks,
  type SchedulerCallbackOptions,
  type Logs as FitLogs,
  type SchedulerLike,
  schedulerCallback,
} from "./scheduler-callback.js";
export { type GpuOptimizerFactory, TfjsWebGpuOptimizer } from "./webgpu-optimizer.js";
