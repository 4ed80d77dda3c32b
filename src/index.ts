// descent: torch.optim for TypeScript. Named re-exports only.

export { type Buffer, type Dtype, releaseBuffer } from "./core/arena.js";
export {
  type Attachable,
  type AttachTarget,
  type BaseOptions,
  type HookHandle,
  Optimizer,
  type OptimizerLike,
  type OptimizerSpec,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInit,
  type ParamState,
  type StepExecutor,
  type StepHook,
} from "./core/optimizer.js";
export { type Param, type ParamOptions, Parameter, param } from "./core/param.js";
export { type SparseGrad, sparseGrad } from "./core/sparse-grad.js";
export type { StateRecord, StateValue } from "./core/state.js";
export { OptionError } from "./core/validate.js";

// optimizers, one a file
export { Adadelta, type AdadeltaOptions, type AdadeltaState } from "./optim/adadelta.js";
export { Adafactor, type AdafactorOptions, type AdafactorState } from "./optim/adafactor.js";
export { Adagrad, type AdagradOptions, type AdagradState } from "./optim/adagrad.js";
export { Adam, type AdamOptions, type AdamState } from "./optim/adam.js";
export type { AdamFamilyOptions } from "./optim/adam-family.js";
export { Adamax, type AdamaxOptions, type AdamaxState } from "./optim/adamax.js";
export { AdamW, type AdamWOptions } from "./optim/adamw.js";
export { ASGD, type ASGDOptions, type ASGDState } from "./optim/asgd.js";
export { LAMB, type LAMBOptions, type LAMBState } from "./optim/lamb.js";
export { LBFGS, type LBFGSOptions, type LBFGSState } from "./optim/lbfgs.js";
export { Lion, type LionOptions, type LionState } from "./optim/lion.js";
export { Muon, type MuonAdjustLrFn, type MuonOptions, type MuonState } from "./optim/muon.js";
export { NAdam, type NAdamOptions, type NAdamState } from "./optim/nadam.js";
export { RAdam, type RAdamOptions, type RAdamState } from "./optim/radam.js";
export { RMSprop, type RMSpropOptions, type RMSpropState } from "./optim/rmsprop.js";
export { Rprop, type RpropOptions, type RpropState } from "./optim/rprop.js";
export {
  ScheduleFreeAdamW,
  type ScheduleFreeAdamWOptions,
  type ScheduleFreeAdamWState,
} from "./optim/schedule-free-adamw.js";
export {
  ScheduleFreeSGD,
  type ScheduleFreeSGDOptions,
  type ScheduleFreeSGDState,
} from "./optim/schedule-free-sgd.js";
export { SGD, type SGDOptions, type SGDState } from "./optim/sgd.js";
export { SparseAdam, type SparseAdamOptions, type SparseAdamState } from "./optim/sparse-adam.js";
// wrappers over any optimizer
export { GradientAccumulation, type GradientAccumulationOptions } from "./optim/gradient-accumulation.js";
export { Lookahead, type LookaheadOptions } from "./optim/lookahead.js";
export { OptimizerWrapper, type WrappedStateDict } from "./optim/optimizer-wrapper.js";
export { type OnNonFinite, SkipNonFinite, type SkipNonFiniteOptions } from "./optim/skip-non-finite.js";

export { EWMA, type EWMAOptions, ewma } from "./average/ewma.js";
export {
  AveragedParams,
  type AveragedParamsInit,
  type AveragedParamsOptions,
  type AveragedParamsStateDict,
  type AveragingMode,
} from "./average/averaged-params.js";
export { type ClipGradNormOptions, clipGradNorm, clipGradValue } from "./clip/clip-grad.js";
export {
  type Checkpoint,
  type CheckpointTarget,
  type LoadedCheckpoint,
  loadCheckpoint,
  readCheckpoint,
  type SaveCheckpointOptions,
  type SavedComponent,
  type SavedParam,
  type Stateful,
  saveCheckpoint,
} from "./checkpoint/checkpoint.js";
export { CheckpointError, type CheckpointErrorCode } from "./checkpoint/checkpoint-error.js";
export { type KernelMode, kernelMode, kernelsAvailable, setKernelMode } from "./kernels/runtime.js";
export { type ThreadHandle, type ThreadOptions, useThreads } from "./kernels/threads.js";

export {
  LRScheduler,
  type SchedulableGroup,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
  type SchedulerStateDict,
} from "./scheduler/lr-scheduler.js";
export { LambdaLR, type LambdaLROptions, type LrLambda } from "./scheduler/lambda-lr.js";
export { MultiplicativeLR, type MultiplicativeLROptions } from "./scheduler/multiplicative-lr.js";
export { StepLR, type StepLROptions } from "./scheduler/step-lr.js";
export { MultiStepLR, type MultiStepLROptions } from "./scheduler/multi-step-lr.js";
export { ConstantLR, type ConstantLROptions } from "./scheduler/constant-lr.js";
export { LinearLR, type LinearLROptions } from "./scheduler/linear-lr.js";
export { ExponentialLR, type ExponentialLROptions } from "./scheduler/exponential-lr.js";
export { PolynomialLR, type PolynomialLROptions } from "./scheduler/polynomial-lr.js";
export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./scheduler/cosine-annealing-lr.js";
export {
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
} from "./scheduler/cosine-annealing-warm-restarts.js";
export { CyclicLR, type CyclicLROptions, type CyclicMode, type ScaleMode } from "./scheduler/cyclic-lr.js";
export { type AnnealStrategy, OneCycleLR, type OneCycleLROptions } from "./scheduler/one-cycle-lr.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./scheduler/reduce-lr-on-plateau.js";
export { SequentialLR, type SequentialLROptions } from "./scheduler/sequential-lr.js";
export { ChainedScheduler } from "./scheduler/chained-scheduler.js";
export { SWALR, type SWALROptions } from "./scheduler/swalr.js";
export { schedule } from "./schedule/schedule.js";
// the pure schedules are reached through `schedule` (bare `step`, `join`, `linear` would be ambiguous names)
export type { Schedule } from "./schedule/check.js";
export type { ConstantScheduleOptions } from "./schedule/constant.js";
export type { LinearScheduleOptions } from "./schedule/linear.js";
export type { CosineScheduleOptions } from "./schedule/cosine.js";
export type { ExponentialScheduleOptions } from "./schedule/exponential.js";
export type { PolynomialScheduleOptions } from "./schedule/polynomial.js";
export type { StepScheduleOptions } from "./schedule/step.js";
export type { MultiStepScheduleOptions } from "./schedule/multi-step.js";
export type { PiecewiseConstantScheduleOptions } from "./schedule/piecewise-constant.js";
export type { WarmupCosineScheduleOptions } from "./schedule/warmup-cosine.js";
export type { WarmupStableDecayScheduleOptions, WsdDecay } from "./schedule/warmup-stable-decay.js";
export type { InverseSqrtScheduleOptions } from "./schedule/inverse-sqrt.js";
export type { JoinScheduleOptions } from "./schedule/join.js";
export {
  type PreviewGroupSequence,
  type PreviewOptions,
  type PreviewResult,
  preview,
} from "./scheduler/preview.js";
export { ParamScheduler, type ParamSchedulerOptions } from "./scheduler/param-scheduler.js";
export { fromTorchStateDict, toTorchStateDict } from "./scheduler/torch-state-dict.js";
