// The lab's words in English and Korean: outcomes, surface names and descriptions, and the figures' own
// titles and axis labels. The Korean follows the seed note's terms (지수 가중 평균, 편향 보정, 모멘텀,
// 전체 배치 / 미니배치 / 확률적 경사하강법, Local Minimum, Plateau) and its notation (V_t, β, θ_t, h, S).

import type { Point } from "./functions.js";
import type { Outcome, Verdict } from "./race.js";

/** A language the lab speaks. */
export type Lang = "en" | "ko";

/** Every language, in the order a switch lists them. */
export const LANGS: readonly Lang[] = Object.freeze(["en", "ko"]);

/** The language's own name, for a language switch. */
export const LANG_NAMES: Readonly<Record<Lang, string>> = Object.freeze({ en: "English", ko: "한국어" });

/** `lang` checked: "en" or "ko", else a RangeError naming the value. */
export function checkLang(lang: unknown): Lang {
  if (lang === "en" || lang === "ko") return lang;
  throw new RangeError(`unknown language ${JSON.stringify(lang)}; valid languages: ${LANGS.join(", ")}`);
}

const OUTCOMES: Readonly<Record<Lang, Readonly<Record<Outcome, string>>>> = {
  en: {
    converged: "converged",
    diverged: "diverged",
    plateau: "plateau",
    "local-minimum": "local minimum",
    saddle: "saddle",
    moving: "moving",
  },
  ko: {
    converged: "수렴",
    diverged: "발산",
    plateau: "Plateau에서 정체",
    "local-minimum": "Local Minimum",
    saddle: "안장점",
    moving: "아직 이동 중",
  },
};

/** An outcome in words ("local minimum", "수렴"). */
export function outcomeText(outcome: Outcome, lang: Lang = "en"): string {
  return OUTCOMES[lang][outcome];
}

const fmt = (v: number) =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)
    ? v.toExponential(2)
    : v.toFixed(4).replace(/\.?0+$/, "");
const at = (p: Point) => `(${fmt(p.x)}, ${fmt(p.y)})`;

const VERDICTS: Readonly<Record<Lang, (v: Verdict) => string>> = {
  en: (v) => {
    switch (v.kind) {
      case "non-finite":
        return `the loss became ${v.loss} at step ${v.step}`;
      case "unbounded":
        return `descending without bound (the surface has no minimum): loss ${fmt(v.loss)} at ${at(v.at)} after ${v.steps} steps`;
      case "blew-up":
        return `blew up to ${at(v.at)} (loss ${fmt(v.loss)}) by step ${v.step}`;
      case "global-minimum":
        return `within ${fmt(v.tolerance)} of the global minimum ${fmt(v.minimum.f)} at ${at(v.minimum)}`;
      case "local-minimum":
        return `settled in the local minimum at ${at(v.minimum)} (f = ${fmt(v.minimum.f)}, ${fmt(v.aboveGlobal)} above the global minimum)`;
      case "left-domain":
        return `left the domain by ${fmt(v.by)} with the loss up from ${fmt(v.startLoss)} to ${fmt(v.loss)}`;
      case "flat":
        return `stalled on a flat region at ${at(v.at)}: gradient norm ${fmt(v.gradNorm)}, curvature ≈ 0, moved ${fmt(v.path)} in the last ${v.window} steps`;
      case "saddle":
        return `stopped at a saddle point ${at(v.at)}: gradient norm ${fmt(v.gradNorm)}, curvatures ${fmt(v.curvatures[0])} and ${fmt(v.curvatures[1])}`;
      case "stopped-minimum":
        return `stopped at ${at(v.at)} with loss ${fmt(v.loss)}${v.aboveGlobal === null ? "" : ` (${fmt(v.aboveGlobal)} above the global minimum)`}: gradient norm ${fmt(v.gradNorm)}, positive curvature`;
      case "stalled":
        return `stalled at ${at(v.at)}: moved ${fmt(v.path)} in the last ${v.window} steps, gradient norm ${fmt(v.gradNorm)}`;
      case "oscillating":
        return `oscillating around ${at(v.at)}: path ${fmt(v.path)} but net ${fmt(v.net)} over the last ${v.window} steps, loss ${fmt(v.loss)}`;
      case "moving":
        return `still moving after ${v.steps} steps: loss ${v.drop >= 0 ? "fell" : "rose"} by ${fmt(Math.abs(v.drop))} over the last ${v.window} steps, now ${fmt(v.loss)}`;
    }
  },
  // particles that change with the word before them (이/가, 로/으로) never follow a number here
  ko: (v) => {
    switch (v.kind) {
      case "non-finite":
        return `${v.step} 스텝에서 loss가 유한하지 않게 되었다 (${v.loss})`;
      case "unbounded":
        return `끝없이 내려간다 (곡면에 최솟값이 없다): ${v.steps} 스텝 뒤 ${at(v.at)}에서 loss ${fmt(v.loss)}`;
      case "blew-up":
        return `${v.step} 스텝 만에 ${at(v.at)}까지 튀어 나갔다 (loss ${fmt(v.loss)})`;
      case "global-minimum":
        return `${at(v.minimum)}의 Global Minimum ${fmt(v.minimum.f)}에서 ${fmt(v.tolerance)} 안으로 들어왔다`;
      case "local-minimum":
        return `${at(v.minimum)}의 Local Minimum에 자리 잡았다 (f = ${fmt(v.minimum.f)}, Global Minimum보다 ${fmt(v.aboveGlobal)} 높다)`;
      case "left-domain":
        return `정의역 밖으로 ${fmt(v.by)}만큼 벗어났고, loss는 ${fmt(v.startLoss)}에서 ${fmt(v.loss)}까지 올랐다`;
      case "flat":
        return `${at(v.at)}의 평평한 곳(Plateau)에서 멈췄다: Gradient 크기 ${fmt(v.gradNorm)}, 곡률 ≈ 0, 마지막 ${v.window} 스텝 동안 ${fmt(v.path)}만큼 움직였다`;
      case "saddle":
        return `${at(v.at)}의 안장점에서 멈췄다: Gradient 크기 ${fmt(v.gradNorm)}, 곡률 ${fmt(v.curvatures[0])}, ${fmt(v.curvatures[1])}`;
      case "stopped-minimum":
        return `${at(v.at)}에서 멈췄다, loss ${fmt(v.loss)}${v.aboveGlobal === null ? "" : ` (Global Minimum보다 ${fmt(v.aboveGlobal)} 높다)`}: Gradient 크기 ${fmt(v.gradNorm)}, 곡률은 양수`;
      case "stalled":
        return `${at(v.at)}에서 정체: 마지막 ${v.window} 스텝 동안 ${fmt(v.path)}만큼 움직였고, Gradient 크기 ${fmt(v.gradNorm)}`;
      case "oscillating":
        return `${at(v.at)} 주위에서 진동한다: 마지막 ${v.window} 스텝 동안 경로 ${fmt(v.path)}, 실제 이동 ${fmt(v.net)}, loss ${fmt(v.loss)}`;
      case "moving":
        return `${v.steps} 스텝 뒤에도 아직 움직인다: 마지막 ${v.window} 스텝 동안 loss가 ${fmt(Math.abs(v.drop))}만큼 ${v.drop >= 0 ? "줄었고" : "늘었고"}, 지금 ${fmt(v.loss)}`;
    }
  },
};

/**
 * Why a race run ended as it did, in `lang`: the judge's case with the run's own numbers.
 * @example
 * const verdict = { kind: "blew-up", at: { x: 3e5, y: -2 }, loss: 8.1e21, step: 40 } as const;
 * verdictText(verdict, "ko"); // → "40 스텝 만에 (3.00e+5, -2)까지 튀어 나갔다 (loss 8.10e+21)"
 * verdictText(verdict); // → "blew up to (3.00e+5, -2) (loss 8.10e+21) by step 40"
 */
export function verdictText(verdict: Verdict, lang: Lang = "en"): string {
  return VERDICTS[lang](verdict);
}

const SURFACES_KO: Readonly<Record<string, { title: string; description: string }>> = {
  rosenbrock: {
    title: "Rosenbrock",
    description: "휘어진 좁은 골짜기: 골짜기는 쉽게 찾지만 (1, 1)까지 따라가기는 느리다",
  },
  beale: { title: "Beale", description: "평평한 팔과 날카로운 능선: 기울기의 크기가 자릿수 단위로 다르다" },
  himmelblau: {
    title: "Himmelblau",
    description: "같은 높이의 최솟값 네 개: 어느 곳에 도착할지는 경로가 정한다",
  },
  booth: { title: "Booth", description: "볼록한 2차 그릇: 웬만한 optimizer는 모두 수렴한다" },
  rastrigin: {
    title: "Rastrigin",
    description: "Local Minimum으로 뒤덮인 그릇: 경사 기반 방법은 가장 가까운 곳에서 멈춘다",
  },
  ackley: {
    title: "Ackley",
    description: "깔때기 위의 물결: 얕은 Local Minimum 여럿과 깊은 Global Minimum 하나",
  },
  saddle: {
    title: "안장 x² − y²",
    description: "원점의 안장점: x축 가까이에서 출발하면 그곳의 기울기가 거의 0이 된다",
  },
  elongated: {
    title: "길쭉한 그릇",
    description: "조건수 40인 2차 함수: GD는 지그재그로 가로지르거나 발산하고, 모멘텀이 돕는다",
  },
  plateau: {
    title: "Plateau와 절벽",
    description: "평평한 Plateau 끝의 절벽: 작은 기울기에 GD는 멈추고, 적응적 스텝은 우물까지 건너간다",
  },
  "styblinski-tang": {
    title: "Styblinski–Tang",
    description: "깊이가 다른 최솟값 네 개: 출발점이 Global Minimum에 닿을지를 정한다",
  },
  "least-squares": {
    title: "최소제곱",
    description: "잡음 섞인 점들에 맞춘 직선: 예제마다 기울기가 제 방향을 가리킨다",
  },
};

/** A surface's display name and one-line description in `lang` (the surface's own text in English). */
export function surfaceText(
  fn: { readonly name: string; readonly title: string; readonly description: string },
  lang: Lang = "en",
): { title: string; description: string } {
  if (lang === "en") return { title: fn.title, description: fn.description };
  const noisy = fn.name.endsWith("+noise");
  const base = SURFACES_KO[noisy ? fn.name.slice(0, -"+noise".length) : fn.name];
  if (base === undefined) return { title: fn.title, description: fn.description };
  return noisy ? { title: `${base.title} (잡음 섞인 기울기)`, description: base.description } : base;
}

/** The figures' words. */
export interface FigureText {
  /** "n steps", for axis labels. */
  steps: (n: number) => string;
  step: string;
  data: string;
  /** The EWMA figure's title, with or without bias correction. */
  ewmaTitle: (corrected: boolean) => string;
  /** The legend of the uncorrected average. */
  uncorrected: (beta: number) => string;
  biasCorrected: string;
  /** The bias-correction figure's title. */
  biasTitle: (beta: number) => string;
  /** "what per step", for y axes. */
  perStep: (what: string) => string;
  /** The training-curve figure's title (raw values and their EWMA). */
  trainingTitle: (what: string, beta: number) => string;
  lossGapTitle: string;
  lossTitle: string;
  effectiveTitle: string;
  /** The "how far each coordinate moved" figure's title. */
  moveTitle: (ax: string, ay: string) => string;
  effectiveLabel: string;
  moveLabel: string;
}

/** The figures' words in each language. */
export const FIGURE_TEXT: Readonly<Record<Lang, FigureText>> = {
  en: {
    steps: (n) => `${n} steps`,
    step: "step",
    data: "data",
    ewmaTitle: (c) =>
      `EWMA V_t = β·V_(t−1) + (1 − β)·θ_t${c ? " (bias-corrected)" : ""}: larger β is smoother but lags`,
    uncorrected: (beta) => `β = ${beta}, V₀ = 0`,
    biasCorrected: "bias-corrected",
    biasTitle: (beta) => `Bias correction V_t / (1 − β^t) removes the pull toward V₀ = 0 (β = ${beta})`,
    perStep: (what) => `${what} per step`,
    trainingTitle: (what, beta) => `${what}: raw (faint) and EWMA β = ${beta} (solid)`,
    lossGapTitle: "loss − minimum per step (log scale)",
    lossTitle: "loss per step",
    effectiveTitle: "effective step per coordinate, from the optimizer's state",
    moveTitle: (ax, ay) => `how far each coordinate moved per step: |Δ${ax}| (solid) and |Δ${ay}| (dashed)`,
    effectiveLabel: "effective step",
    moveLabel: "|Δ| per step",
  },
  ko: {
    steps: (n) => `${n} 스텝`,
    step: "스텝",
    data: "데이터",
    ewmaTitle: (c) =>
      `지수 가중 평균 V_t = β·V_(t−1) + (1 − β)·θ_t${c ? " (편향 보정)" : ""}: β가 클수록 매끄럽지만 늦다`,
    uncorrected: (beta) => `β = ${beta}, V₀ = 0`,
    biasCorrected: "편향 보정",
    biasTitle: (beta) => `편향 보정 V_t / (1 − β^t): V₀ = 0 쪽으로 처진 초반을 바로잡는다 (β = ${beta})`,
    perStep: (what) => `스텝별 ${what}`,
    trainingTitle: (what, beta) => `${what}: 원래 값(흐리게)과 지수 가중 평균 β = ${beta}(진하게)`,
    lossGapTitle: "스텝별 loss − 최솟값 (로그 눈금)",
    lossTitle: "스텝별 loss",
    effectiveTitle: "좌표별 실효 스텝 크기 (optimizer의 실제 상태에서 계산)",
    moveTitle: (ax, ay) => `스텝마다 각 좌표가 움직인 거리: |Δ${ax}|(실선), |Δ${ay}|(점선)`,
    effectiveLabel: "실효 스텝 크기",
    moveLabel: "스텝당 |Δ|",
  },
};
