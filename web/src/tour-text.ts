// The tour's words in English and Korean, one entry per section of the seed note (its order, its terms:
// 지수 가중 평균, 편향 보정, 모멘텀, 전체 배치 / 미니배치 / SGD, Local Minimum, Plateau; its notation).

import type { Lang } from "../../src/lab/i18n.js";

export type SectionId =
  | "ewma"
  | "batch"
  | "momentum"
  | "adagrad"
  | "rmsprop"
  | "adam"
  | "pytorch"
  | "schedulers";

export const SECTION_IDS: readonly SectionId[] = [
  "ewma",
  "batch",
  "momentum",
  "adagrad",
  "rmsprop",
  "adam",
  "pytorch",
  "schedulers",
];

export interface SectionText {
  readonly title: string;
  readonly lead: string;
  /** The formula, in the note's notation, one line each. */
  readonly formula: readonly string[];
}

export interface TourText {
  readonly tab: string;
  readonly heading: string;
  readonly subtitle: string;
  readonly language: string;
  readonly sections: string;
  readonly formula: string;
  readonly pytorch: string;
  readonly descent: string;
  readonly previous: string;
  readonly next: string;
  readonly step: string;
  readonly section: Readonly<Record<SectionId, SectionText>>;
  readonly control: Readonly<Record<string, string>>;
  readonly series: Readonly<Record<string, string>>;
  readonly summary: {
    ewma: (beta: number, days: number, first: string, data: string) => string;
    batch: (losses: readonly [string, string, string]) => string;
    momentum: (sgd: string, momentum: string) => string;
    adagrad: (t: number, adagrad: string, rmsprop: string) => string;
    rmsprop: (sgd: string, rmsprop: string) => string;
    adam: (adam: string, momentum: string) => string;
    pytorch: (name: string, loss: string) => string;
    schedulers: (exp: string, multi: string) => string;
  };
}

const STEPS_NEVER = { en: "not within tolerance", ko: "허용오차에 닿지 못함" };

export const TOUR_TEXT: Readonly<Record<Lang, TourText>> = {
  en: {
    tab: "Tour of the note",
    heading: "descent lab",
    subtitle: "Real descent optimizers running in your browser: the same code as the library.",
    language: "Language",
    sections: "Sections of the note",
    formula: "Formula",
    pytorch: "PyTorch",
    descent: "descent",
    previous: "← previous",
    next: "next →",
    step: "step",
    section: {
      ewma: {
        title: "1. Exponentially weighted averages",
        lead: "The current average is β times the last one plus 1 − β times today's data: old data fade exponentially. Larger β is smoother but lags; started at V₀ = 0 the curve begins too low, and bias correction divides by 1 − βᵗ.",
        formula: ["V₀ = 0", "V_t = β·V_(t−1) + (1 − β)·θ_t", "bias correction: V_t / (1 − βᵗ)"],
      },
      batch: {
        title: "2. Full batch, mini-batch and SGD",
        lead: "The loss is a mean over examples (least squares on 48 points, the line w·x + b). Full batch takes the exact gradient, a mini-batch a few examples, SGD one: cheaper steps, noisier paths. Same lr, same start, one seed.",
        formula: [
          "L(w, b) = (1/N)·Σᵢ ½·(w·xᵢ + b − yᵢ)²",
          "batch B: dw = (1/B)·Σ_(i∈B) ∂Lᵢ/∂w",
          "w = w − α·dw,  b = b − α·db",
        ],
      },
      momentum: {
        title: "3. SGD with momentum",
        lead: "Instead of the gradient dw, step along its exponentially weighted average: the direction it kept. On the elongated bowl plain GD crawls along the flat axis; momentum builds up speed there.",
        formula: [
          "V_dw = β·V_dw + (1 − β)·dw",
          "w = w − α·V_dw",
          "torch: V = β·V + dw (the same, α scaled by 1/(1 − β))",
        ],
      },
      adagrad: {
        title: "4. Adagrad",
        lead: "Each parameter gets its own step η/√h, and h only grows: the learning rate goes to 0 whether or not the parameters have converged. RMSprop's moving average keeps it alive. With one example per step the gradients never vanish, so the difference shows.",
        formula: ["h = h + (∂L/∂W)²", "W = W − η·(1/√h)·∂L/∂W", "effective step: η/(√h + ε)"],
      },
      rmsprop: {
        title: "5. RMSprop",
        lead: "Dividing by √S rescales the (w, b) space so that steep and flat directions take steps of the same size: an isotropic normalization. On the elongated bowl (curvature 0.1 along x, 4 along y) SGD zig-zags across the valley; RMSprop heads along the diagonal.",
        formula: ["S_dw = β·S_dw + (1 − β)·dw²", "w = w − α·dw/(√S_dw + ε)"],
      },
      adam: {
        title: "6. Adam",
        lead: "Momentum for the direction, RMSprop for the step size, both bias-corrected. Three hyperparameters: α, β₁ (usually 0.9) and β₂ (usually 0.999). Rosenbrock's curved valley, against SGD with momentum.",
        formula: [
          "V_dw = β₁·V_dw + (1 − β₁)·dw,  S_dw = β₂·S_dw + (1 − β₂)·dw²",
          "V̂ = V_dw/(1 − β₁ᵗ),  Ŝ = S_dw/(1 − β₂ᵗ)",
          "w = w − α·V̂/(√Ŝ + ε)",
        ],
      },
      pytorch: {
        title: "7. Using optimization algorithms in PyTorch",
        lead: "Define the model, the cost function and the optimizer, then loop: zero the gradients, compute the loss, backpropagate, step. Here the model is the line w·x + b on the 48 points, trained in mini-batches of 8.",
        formula: [
          "optimizer.zero_grad()",
          "loss = criterion(model(x), y);  loss.backward()",
          "optimizer.step()",
        ],
      },
      schedulers: {
        title: "8. Learning-rate scheduling",
        lead: "A scheduler changes the lr from outside the algorithm: set it up after the optimizer and call scheduler.step() every epoch. ExponentialLR multiplies the lr by γ each epoch; MultiStepLR multiplies it by γ at its milestones.",
        formula: ["ExponentialLR: lr_e = lr₀·γᵉ", "MultiStepLR: lr_e = lr₀·γ^(milestones passed)"],
      },
    },
    control: {
      beta: "β",
      bias: "bias correction V_t / (1 − βᵗ)",
      batch: "mini-batch size B",
      lr: "learning rate α",
      eta: "learning rate η",
      momentum: "momentum β",
      alpha: "β (RMSprop's α)",
      beta1: "β₁",
      beta2: "β₂",
      optimizer: "optimizer",
      gamma: "γ",
    },
    series: {
      data: "data θ_t",
      ewma: "EWMA",
      uncorrected: "without bias correction",
      full: "full batch (B = 48)",
      mini: "mini-batch",
      sgd1: "SGD (B = 1)",
      gd: "GD",
      momentum: "SGD + momentum",
      adagradW: "Adagrad · w",
      adagradB: "Adagrad · b",
      rmspropW: "RMSprop · w",
      rmspropB: "RMSprop · b",
      sgd: "SGD",
      rmsprop: "RMSprop",
      adam: "Adam",
      loss: "loss",
      exponential: "ExponentialLR",
      multistep: "MultiStepLR [10, 20]",
    },
    summary: {
      ewma: (beta, days, first, data) =>
        `β = ${beta}: about ${days} days averaged; the first value is ${first} (the data: ${data}).`,
      batch: ([full, mini, sgd]) => `Final loss: full batch ${full}, mini-batch ${mini}, SGD ${sgd}.`,
      momentum: (sgd, momentum) =>
        `Steps to within 10⁻³ of the minimum: GD ${sgd === "" ? STEPS_NEVER.en : sgd}, with momentum ${momentum === "" ? STEPS_NEVER.en : momentum}.`,
      adagrad: (t, adagrad, rmsprop) =>
        `After ${t} steps the effective step on w: Adagrad ${adagrad}, RMSprop ${rmsprop}.`,
      rmsprop: (sgd, rmsprop) => `First step |Δy|/|Δx|: SGD ${sgd}, RMSprop ${rmsprop}.`,
      adam: (adam, momentum) => `Final loss: Adam ${adam}, SGD + momentum ${momentum}.`,
      pytorch: (name, loss) => `${name}: final loss ${loss}.`,
      schedulers: (exp, multi) => `lr at epoch 29: ExponentialLR ${exp}, MultiStepLR ${multi}.`,
    },
  },
  ko: {
    tab: "노트 따라가기",
    heading: "descent 실험실",
    subtitle: "브라우저에서 돌아가는 진짜 descent optimizer: 라이브러리와 같은 코드.",
    language: "언어",
    sections: "노트의 절",
    formula: "수식",
    pytorch: "PyTorch",
    descent: "descent",
    previous: "← 이전",
    next: "다음 →",
    step: "스텝",
    section: {
      ewma: {
        title: "1. 지수 가중 평균 (Exponentially Weighted Averages)",
        lead: "현재의 이동평균은 직전 이동평균에 β를, 현재 데이터에 1 − β를 곱해 더한 것: 과거 데이터의 영향은 지수적으로 줄어든다. β가 크면 더 Smooth하지만 Latency가 커진다. V₀ = 0에서 시작하면 초반이 아래로 처지고(Biased), 편향 보정은 1 − βᵗ로 나눈다.",
        formula: ["V₀ = 0", "V_t = β·V_(t−1) + (1 − β)·θ_t", "편향 보정: V_t / (1 − βᵗ)"],
      },
      batch: {
        title: "2. 전체 배치, 미니배치, SGD",
        lead: "loss는 예제들의 평균이다(점 48개에 직선 w·x + b를 맞추는 최소제곱). 전체 배치(Full Batch)는 정확한 Gradient를, 미니배치는 예제 몇 개를, SGD(1 Batchsize)는 하나를 쓴다: 스텝은 싸지고 경로는 흔들린다. 같은 lr, 같은 출발점, 같은 seed.",
        formula: [
          "L(w, b) = (1/N)·Σᵢ ½·(w·xᵢ + b − yᵢ)²",
          "배치 B: dw = (1/B)·Σ_(i∈B) ∂Lᵢ/∂w",
          "w = w − α·dw,  b = b − α·db",
        ],
      },
      momentum: {
        title: "3. SGD with Momentum",
        lead: "Gradient dw 대신 그 지수 가중 평균, 곧 Gradient의 추세(모멘텀)를 따라 움직인다. 길쭉한 그릇에서 Classic한 GD는 평평한 방향으로 기어가고, 모멘텀은 그 방향으로 속도를 쌓는다.",
        formula: [
          "V_dw = β·V_dw + (1 − β)·dw",
          "w = w − α·V_dw",
          "torch: V = β·V + dw (같은 식, α에 1/(1 − β)를 곱한 것)",
        ],
      },
      adagrad: {
        title: "4. Adagrad",
        lead: "파라미터마다 자기 스텝 η/√h를 갖는데, h는 커지기만 한다: 수렴 여부와 별개로 Learning rate가 0에 수렴해 파라미터가 더는 갱신되지 않는다. RMSprop의 이동평균은 스텝을 살려 둔다. 스텝마다 예제 하나를 쓰면 Gradient가 사라지지 않아 차이가 드러난다.",
        formula: ["h = h + (∂L/∂W)²", "W = W − η·(1/√h)·∂L/∂W", "실효 스텝: η/(√h + ε)"],
      },
      rmsprop: {
        title: "5. RMSprop",
        lead: "√S로 나누는 것은 (w, b) 공간을 다시 재어 가파른 방향과 평평한 방향의 스텝 크기를 같게 만드는 것: Isotropic하게 맞추는 Normalization이다. 길쭉한 그릇(곡률 x 0.1, y 4)에서 SGD는 골짜기를 가로질러 지그재그하고, RMSprop은 대각선으로 나아간다.",
        formula: ["S_dw = β·S_dw + (1 − β)·dw²", "w = w − α·dw/(√S_dw + ε)"],
      },
      adam: {
        title: "6. Adam",
        lead: "방향은 모멘텀, 스텝 크기는 RMSprop, 둘 다 편향 보정. Hyperparameter는 α, β₁(보통 0.9), β₂(보통 0.999) 세 개. Rosenbrock의 휘어진 골짜기에서 SGD with Momentum과 겨룬다.",
        formula: [
          "V_dw = β₁·V_dw + (1 − β₁)·dw,  S_dw = β₂·S_dw + (1 − β₂)·dw²",
          "V̂ = V_dw/(1 − β₁ᵗ),  Ŝ = S_dw/(1 − β₂ᵗ)",
          "w = w − α·V̂/(√Ŝ + ε)",
        ],
      },
      pytorch: {
        title: "7. PyTorch에서 optimizer 쓰기",
        lead: "모델, Cost function, Optimizer를 정의한 뒤 루프를 돈다: Gradient를 0으로, loss 계산, 역전파, step. 여기서 모델은 점 48개 위의 직선 w·x + b이고, 8개씩의 미니배치로 학습한다.",
        formula: [
          "optimizer.zero_grad()",
          "loss = criterion(model(x), y);  loss.backward()",
          "optimizer.step()",
        ],
      },
      schedulers: {
        title: "8. Learning rate scheduling",
        lead: "스케쥴러는 알고리즘 바깥에서 lr을 조절한다: Optimizer 뒤에 Scheduler를 설정하고 epoch마다 scheduler.step()을 부른다. ExponentialLR은 epoch마다 lr에 γ를 곱하고, MultiStepLR은 Mile Stone에서 γ를 곱한다.",
        formula: ["ExponentialLR: lr_e = lr₀·γᵉ", "MultiStepLR: lr_e = lr₀·γ^(지난 Mile Stone 수)"],
      },
    },
    control: {
      beta: "β",
      bias: "편향 보정 V_t / (1 − βᵗ)",
      batch: "미니배치 크기 B",
      lr: "learning rate α",
      eta: "learning rate η",
      momentum: "모멘텀 β",
      alpha: "β (RMSprop의 α)",
      beta1: "β₁",
      beta2: "β₂",
      optimizer: "optimizer",
      gamma: "γ",
    },
    series: {
      data: "데이터 θ_t",
      ewma: "지수 가중 평균",
      uncorrected: "편향 보정 없이",
      full: "전체 배치 (B = 48)",
      mini: "미니배치",
      sgd1: "SGD (B = 1)",
      gd: "GD",
      momentum: "SGD + 모멘텀",
      adagradW: "Adagrad · w",
      adagradB: "Adagrad · b",
      rmspropW: "RMSprop · w",
      rmspropB: "RMSprop · b",
      sgd: "SGD",
      rmsprop: "RMSprop",
      adam: "Adam",
      loss: "loss",
      exponential: "ExponentialLR",
      multistep: "MultiStepLR [10, 20]",
    },
    summary: {
      ewma: (beta, days, first, data) =>
        `β = ${beta}: 대략 ${days}일을 평균한다. 첫 값은 ${first} (데이터: ${data}).`,
      batch: ([full, mini, sgd]) => `마지막 loss: 전체 배치 ${full}, 미니배치 ${mini}, SGD ${sgd}.`,
      momentum: (sgd, momentum) =>
        `최솟값의 10⁻³ 안까지 걸린 스텝: GD ${sgd === "" ? STEPS_NEVER.ko : sgd}, 모멘텀 ${momentum === "" ? STEPS_NEVER.ko : momentum}.`,
      adagrad: (t, adagrad, rmsprop) => `${t} 스텝 뒤 w의 실효 스텝: Adagrad ${adagrad}, RMSprop ${rmsprop}.`,
      rmsprop: (sgd, rmsprop) => `첫 스텝의 |Δy|/|Δx|: SGD ${sgd}, RMSprop ${rmsprop}.`,
      adam: (adam, momentum) => `마지막 loss: Adam ${adam}, SGD + 모멘텀 ${momentum}.`,
      pytorch: (name, loss) => `${name}: 마지막 loss ${loss}.`,
      schedulers: (exp, multi) => `epoch 29의 lr: ExponentialLR ${exp}, MultiStepLR ${multi}.`,
    },
  },
};
