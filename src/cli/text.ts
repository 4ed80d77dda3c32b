// The words of the CLI's text output (table headers, the race's verdict lines, notes), in English and in
// Korean for `--lang ko`; outcomes and verdicts come from the lab's own wording (src/lab/i18n.ts).

import type { Lang } from "../lab/i18n.js";

export interface CliText {
  raceHeading: (surface: string, start: string, steps: number, description: string) => string;
  raceColumns: readonly string[];
  ewmaColumns: (window: string) => readonly string[];
  ewmaWindow: string;
  data: string;
  biasCorrected: string;
  notBiasCorrected: string;
  scheduleColumns: (cycled: boolean) => readonly string[];
  wrote: (path: string) => string;
}

export const CLI_TEXT: Readonly<Record<Lang, CliText>> = {
  en: {
    raceHeading: (surface, start, steps, description) =>
      `${surface} from ${start}, ${steps} steps: ${description}`,
    raceColumns: ["optimizer", "lr", "final loss", "dist. to min", "steps to tol", "outcome"],
    ewmaColumns: (window) => ["β", window],
    ewmaWindow: "≈ window 1/(1−β)",
    data: "data",
    biasCorrected: "(bias-corrected: v_t / (1 − βᵗ))",
    notBiasCorrected: "(not bias-corrected: v_0 = 0 pulls the first values down)",
    scheduleColumns: (cycled) => ["step", "lr", ...(cycled ? ["momentum"] : [])],
    wrote: (path) => `wrote ${path}`,
  },
  ko: {
    raceHeading: (surface, start, steps, description) =>
      `${surface}, 출발점 ${start}, ${steps} 스텝: ${description}`,
    raceColumns: ["optimizer", "lr", "마지막 loss", "최솟값까지 거리", "허용오차까지 스텝", "결과"],
    ewmaColumns: (window) => ["β", window],
    ewmaWindow: "≈ 평균 개수 1/(1−β)",
    data: "데이터",
    biasCorrected: "(편향 보정: V_t / (1 − βᵗ))",
    notBiasCorrected: "(편향 보정 없음: V₀ = 0이 초반 값을 아래로 끌어내린다)",
    scheduleColumns: (cycled) => ["스텝", "lr", ...(cycled ? ["모멘텀"] : [])],
    wrote: (path) => `저장함: ${path}`,
  },
};
