// descent-optim/webgpu: descent's optimizers over GPUBuffers, the update rules run as WGSL kernels.

export { clipGradNorm, clippedStep, type GpuClipGradNormOptions, GpuNorm } from "./clip.js";
export { chunkElements } from "./executor.js";
export {
  type CpuTwin,
  type GpuParamGroup,
  type GpuParamGroupInit,
  type GpuRule,
  type GpuState,
  readBuffer,
  type RuleArgs,
  type StepEncoder,
  type StepWork,
  type StateAllocator,
  WebGpuOptimizer,
} from "./optimizer.js";
export {
  ASGD,
  Adadelta,
  Adafactor,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  CPU_ONLY_OPTIMIZERS,
  GPU_OPTIMIZERS,
  GPU_RULES,
  gpuOptimizer,
  LAMB,
  Lion,
  Muon,
  NAdam,
  type Params as GpuParams,
  RAdam,
  RMSprop,
  Rprop,
  SGD,
  ScheduleFreeAdamW,
  ScheduleFreeSGD,
} from "./optimizers.js";
export { ScheduleFreeWebGpuOptimizer } from "./schedule-free.js";
export { GpuParam, type GpuParamOptions, gpuParam } from "./param.js";
export { GATED_KERNELS, SkipNonFinite } from "./skip-non-finite.js";
