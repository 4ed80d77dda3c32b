// The words of the Surfaces, EWMA and Schedule panels and of the tab bar, in English and Korean. The Korean
// follows the seed note: its terms (지수 가중 평균, 편향 보정, 모멘텀, 스케쥴러) and the English words it keeps
// as they are (optimizer, loss, Learning rate, Gradient, Local Minimum, Plateau).

import type { RaceRunnerStatus } from "../../src/lab/race.js";
import type { Lang } from "../../src/lab/i18n.js";
import type { NoGpu } from "./gpu-race.js";

export interface SurfacesText {
  readonly formAria: string;
  readonly surface: string;
  readonly function: string;
  readonly customFormula: string;
  readonly rangeFrom: (axis: string) => string;
  readonly rangeTo: (axis: string) => string;
  readonly gradExact: string;
  readonly customDescription: string;
  /** A parse error from the formula reader (its own words, English) in a sentence of the panel's. */
  readonly formulaError: (message: string) => string;
  readonly optimizers: string;
  readonly optionsOf: (label: string) => string;
  /** An optimizer option's label by its key; missing keys show the registry's English label. */
  readonly option: Readonly<Record<string, string>>;
  readonly lrNotNumber: string;
  /** A construction error from the optimizer (torch's message, kept verbatim so it can be searched). */
  readonly optimizerError: (message: string) => string;
  readonly run: string;
  readonly startX: string;
  readonly startY: string;
  readonly steps: string;
  readonly speed: string;
  readonly perFrame: (n: number) => string;
  readonly runFromStart: string;
  readonly pause: string;
  readonly resume: string;
  readonly hint: string;
  readonly tableCaption: string;
  readonly columns: readonly [string, string, string, string, string];
  readonly status: Readonly<Record<RaceRunnerStatus, string>>;
  readonly canvasAria: string;
  readonly canvasDrawnAria: (surface: string, paths: number, start: string) => string;
  readonly lossAria: string;
  readonly step: string;
  readonly lossGap: string;
  readonly loss: string;
  /** The toggle that steps the race's optimizers on WebGPU, and what it says about where they ran. */
  readonly gpu: string;
  readonly gpuLooking: string;
  /** `n` optimizers on the GPU; `cpu`: the labels of those without a WebGPU kernel. */
  readonly gpuOn: (n: number, cpu: readonly string[]) => string;
  readonly gpuUnavailable: (why: NoGpu) => string;
  /** A GPU step that failed (the browser's message). */
  readonly gpuFailed: (message: string) => string;
}

export interface EwmaText {
  readonly formAria: string;
  readonly legend: string;
  readonly formula: string;
  readonly bias: string;
  readonly noise: string;
  readonly days: string;
  readonly data: string;
  readonly average: string;
  readonly uncorrected: string;
  readonly summary: (beta: number, days: string, first: string, data: string, last: string) => string;
  readonly catchUp: string;
  readonly canvasAria: (beta: number, corrected: boolean) => string;
  readonly day: string;
  readonly temperature: string;
}

export interface ScheduleText {
  readonly formAria: string;
  readonly optimizer: string;
  readonly initialLr: string;
  readonly momentum: string;
  readonly schedulerSteps: string;
  readonly schedule: string;
  readonly sequel: string;
  readonly useThen: string;
  readonly atStep: string;
  readonly selectAria: string;
  readonly lrHeading: string;
  readonly momentumHeading: string;
  readonly lrAria: string;
  readonly momentumAria: string;
  readonly copy: (what: string) => string;
  readonly copied: string;
  readonly schedulerStep: string;
  readonly stepsAtMost: (max: number, got: number) => string;
  readonly milestone: (got: number) => string;
  readonly lrPositive: (got: number) => string;
  readonly stepsPositive: (got: number) => string;
  readonly optionRange: (
    id: string,
    key: string,
    range: { integer: boolean; min: number; max?: number },
    got: number,
  ) => string;
}

export interface LabText {
  readonly tabs: { readonly surfaces: string; readonly ewma: string; readonly schedule: string };
  readonly tabsAria: string;
  readonly surfaces: SurfacesText;
  readonly ewma: EwmaText;
  readonly schedule: ScheduleText;
}

export const LAB_TEXT: Readonly<Record<Lang, LabText>> = {
  en: {
    tabs: { surfaces: "Surfaces", ewma: "EWMA playground", schedule: "Schedule designer" },
    tabsAria: "Lab panels",
    surfaces: {
      formAria: "Surface and optimizers",
      surface: "Surface",
      function: "Function",
      customFormula: "Custom formula…",
      rangeFrom: (axis) => `${axis} from`,
      rangeTo: (axis) => `${axis} to`,
      gradExact: "∂f/∂x and ∂f/∂y: exact, by forward-mode differentiation",
      customDescription: "Your formula; its exact gradient by forward-mode differentiation.",
      formulaError: (message) => `Formula error: ${message}. The map keeps the last valid surface.`,
      optimizers: "Optimizers",
      optionsOf: (label) => `${label} options`,
      option: {},
      lrNotNumber: "lr must be a number",
      optimizerError: (message) => message,
      run: "Run",
      startX: "start x",
      startY: "start y",
      steps: "steps",
      speed: "speed",
      perFrame: (n) => `${n} per frame`,
      runFromStart: "Run from start",
      pause: "Pause",
      resume: "Resume",
      hint: "Click the map to start every optimizer there.",
      tableCaption: "Live loss per optimizer",
      columns: ["optimizer", "step", "loss", "(x, y)", "status"],
      status: { running: "running", done: "done", diverged: "diverged" },
      canvasAria:
        "contour plot; click or press Enter to start the optimizers here, arrow keys move the start",
      canvasDrawnAria: (surface, paths, start) =>
        `${surface}: contour plot with ${paths} optimizer paths from ${start}. Click or press Enter to start the optimizers there; arrow keys move the start.`,
      lossAria: "loss over steps",
      step: "step",
      lossGap: "loss − min (log)",
      loss: "loss",
      gpu: "Step on the GPU (WebGPU)",
      gpuLooking: "Looking for a WebGPU adapter…",
      gpuOn: (n, cpu) =>
        `${n} ${n === 1 ? "optimizer steps" : "optimizers step"} on the GPU, in descent's WGSL kernels (float32). Each step uploads the gradient, computed on the CPU from the surface's formula, and reads the point back to draw it: 8 bytes each way, fine for a lab.${cpu.length === 0 ? "" : ` ${cpu.join(", ")} ${cpu.length === 1 ? "has" : "have"} no WebGPU kernel and ${cpu.length === 1 ? "runs" : "run"} on the CPU.`}`,
      gpuUnavailable: (why) =>
        `WebGPU is not available here (${why.reason === "no-webgpu" ? "this browser has no navigator.gpu" : why.reason === "no-adapter" ? "navigator.gpu found no adapter" : `the GPU device failed: ${why.message}`}): the optimizers run on the CPU.`,
      gpuFailed: (message) => `A GPU step failed (${message}): the optimizers run on the CPU.`,
    },
    ewma: {
      formAria: "EWMA settings",
      legend: "Exponentially weighted average",
      formula: "V₀ = 0,  Vₜ = β·Vₜ₋₁ + (1 − β)·θₜ; it averages about 1/(1 − β) values.",
      bias: "bias correction Vₜ / (1 − βᵗ)",
      noise: "noise σ",
      days: "days shown",
      data: "daily temperature θₜ",
      average: "EWMA (as configured)",
      uncorrected: "without bias correction",
      summary: (beta, days, first, data, last) =>
        `β = ${beta}: about ${days} days averaged; first value ${first} (data ${data}), last value ${last}.`,
      catchUp: "Without bias correction the curve starts near 0 and needs ~1/(1 − β) days to catch up.",
      canvasAria: (beta, corrected) =>
        `Noisy daily temperatures and their EWMA with β = ${beta}${corrected ? ", bias-corrected" : ""}`,
      day: "day t",
      temperature: "temperature",
    },
    schedule: {
      formAria: "Schedule settings",
      optimizer: "Optimizer",
      initialLr: "initial lr",
      momentum: "momentum",
      schedulerSteps: "scheduler steps",
      schedule: "Schedule",
      sequel: "Then (SequentialLR)",
      useThen: "switch to a second schedule",
      atStep: "at step",
      selectAria: "scheduler",
      lrHeading: "Learning rate",
      momentumHeading: "Momentum",
      lrAria: "learning rate over steps",
      momentumAria: "momentum over steps",
      copy: (what) => `Copy ${what}`,
      copied: "Copied",
      schedulerStep: "scheduler step",
      stepsAtMost: (max, got) => `steps must be at most ${max}, got ${got}`,
      milestone: (got) => `the milestone must be an integer between 1 and steps − 1, got ${got}`,
      lrPositive: (got) => `lr must be a positive number, got ${got}`,
      stepsPositive: (got) => `steps must be a positive integer, got ${got}`,
      optionRange: (id, key, r, got) =>
        `${id}: ${key} must be ${r.integer ? "an integer " : ""}≥ ${r.min}${r.max === undefined ? "" : ` and ≤ ${r.max}`}, got ${got}`,
    },
  },
  ko: {
    tabs: { surfaces: "loss 곡면", ewma: "지수 가중 평균 실험", schedule: "스케쥴러 설계" },
    tabsAria: "실험실 패널",
    surfaces: {
      formAria: "곡면과 optimizer",
      surface: "곡면",
      function: "함수",
      customFormula: "수식 직접 입력…",
      rangeFrom: (axis) => `${axis} 범위 시작`,
      rangeTo: (axis) => `${axis} 범위 끝`,
      gradExact: "∂f/∂x, ∂f/∂y: 전진 모드 자동 미분으로 구한 정확한 값",
      customDescription: "직접 입력한 수식: Gradient는 전진 모드 자동 미분으로 정확히 계산한다.",
      formulaError: (message) => `수식 오류: ${message}. 지도는 마지막으로 올바른 곡면을 그대로 보여 준다.`,
      optimizers: "Optimizer",
      optionsOf: (label) => `${label} 옵션`,
      option: {
        momentum: "모멘텀",
        dampening: "Gradient 감쇠",
        weightDecay: "가중치 감쇠",
        lrDecay: "lr 감쇠",
        centered: "중심화",
        historySize: "저장할 기록 수",
        maxIter: "스텝당 반복 수",
        momentumDecay: "모멘텀 감쇠",
        stepMax: "최대 스텝",
        stepMin: "최소 스텝",
        strongWolfe: "강한 Wolfe 선 탐색",
      },
      lrNotNumber: "lr은 숫자여야 한다",
      optimizerError: (message) => `만들 수 없음: ${message}`,
      run: "실행",
      startX: "출발점 x",
      startY: "출발점 y",
      steps: "스텝 수",
      speed: "속도",
      perFrame: (n) => `프레임당 ${n} 스텝`,
      runFromStart: "출발점에서 다시 실행",
      pause: "일시정지",
      resume: "계속",
      hint: "지도를 클릭하면 모든 optimizer가 그곳에서 출발한다.",
      tableCaption: "optimizer별 실시간 loss",
      columns: ["optimizer", "스텝", "loss", "(x, y)", "상태"],
      status: { running: "진행 중", done: "끝", diverged: "발산" },
      canvasAria:
        "등고선 그림: 클릭하거나 Enter를 누르면 optimizer들이 여기서 출발하고, 화살표 키는 출발점을 옮긴다",
      canvasDrawnAria: (surface, paths, start) =>
        `${surface}: 등고선 그림, ${start}에서 출발한 optimizer 경로 ${paths}개. 클릭하거나 Enter를 누르면 그곳에서 출발하고, 화살표 키는 출발점을 옮긴다.`,
      lossAria: "스텝별 loss",
      step: "스텝",
      lossGap: "loss − 최솟값 (로그)",
      loss: "loss",
      gpu: "GPU에서 스텝 실행 (WebGPU)",
      gpuLooking: "WebGPU 어댑터를 찾는 중…",
      gpuOn: (n, cpu) =>
        `optimizer ${n}개가 descent의 GPU 커널로 스텝을 밟는다 (32비트 부동소수점). 스텝마다 곡면의 수식으로 CPU에서 계산한 Gradient를 GPU에 올리고, 그리기 위해 점을 다시 읽어 온다: 양쪽 8바이트씩이라 실험실에는 충분하다.${cpu.length === 0 ? "" : ` ${cpu.join(", ")}에는 WebGPU 커널이 없어 CPU에서 실행한다.`}`,
      gpuUnavailable: (why) =>
        `여기서는 WebGPU를 쓸 수 없다 (${why.reason === "no-webgpu" ? "이 브라우저에는 WebGPU가 없다" : why.reason === "no-adapter" ? "WebGPU 어댑터가 없다" : `GPU 장치 오류: ${why.message}`}): optimizer는 CPU에서 실행한다.`,
      gpuFailed: (message) => `GPU 스텝이 실패했다 (${message}): optimizer는 CPU에서 실행한다.`,
    },
    ewma: {
      formAria: "지수 가중 평균 설정",
      legend: "지수 가중 평균",
      formula: "V₀ = 0,  Vₜ = β·Vₜ₋₁ + (1 − β)·θₜ: 대략 1/(1 − β)개의 값을 평균한다.",
      bias: "편향 보정 Vₜ / (1 − βᵗ)",
      noise: "잡음 σ",
      days: "보여 줄 날 수",
      data: "일별 기온 θₜ",
      average: "지수 가중 평균 (설정대로)",
      uncorrected: "편향 보정 없이",
      summary: (beta, days, first, data, last) =>
        `β = ${beta}: 대략 ${days}일을 평균한다. 첫 값 ${first} (데이터 ${data}), 마지막 값 ${last}.`,
      catchUp: "편향 보정이 없으면 곡선이 0 근처에서 시작해(Biased) 따라잡는 데 약 1/(1 − β)일이 걸린다.",
      canvasAria: (beta, corrected) =>
        `잡음 섞인 일별 기온과 β = ${beta}인 지수 가중 평균${corrected ? " (편향 보정)" : ""}`,
      day: "날 t",
      temperature: "기온",
    },
    schedule: {
      formAria: "스케쥴러 설정",
      optimizer: "Optimizer",
      initialLr: "처음 lr",
      momentum: "모멘텀",
      schedulerSteps: "scheduler.step() 횟수",
      schedule: "스케쥴러",
      sequel: "이어서 (SequentialLR)",
      useThen: "두 번째 스케쥴러로 넘어가기",
      atStep: "넘어가는 스텝",
      selectAria: "스케쥴러",
      lrHeading: "Learning rate",
      momentumHeading: "모멘텀",
      lrAria: "스텝별 Learning rate",
      momentumAria: "스텝별 모멘텀",
      copy: (what) => `${what} 복사`,
      copied: "복사했다",
      schedulerStep: "scheduler 스텝",
      stepsAtMost: (max, got) => `스텝 수는 ${max} 이하여야 한다 (입력: ${got})`,
      milestone: (got) => `넘어가는 스텝은 1과 스텝 수 − 1 사이의 정수여야 한다 (입력: ${got})`,
      lrPositive: (got) => `lr은 양수여야 한다 (입력: ${got})`,
      stepsPositive: (got) => `스텝 수는 양의 정수여야 한다 (입력: ${got})`,
      optionRange: (id, key, r, got) =>
        `${id}: ${key}는 ${r.min} 이상${r.max === undefined ? "" : ` ${r.max} 이하`}의 ${r.integer ? "정수" : "수"}여야 한다 (입력: ${got})`,
    },
  },
};
