// The WGSL kernels the executor runs, as /work/notes/wgsl-contract.md lays them out: per rule, its passes,
// each with its bindings (buffers by the rule's names, then the uniform) and one WGSL source per flag
// combination. BRING-UP ONLY: one Adam kernel written to the contract until the generator's
// src/kernels/generated/wgsl.ts lands; it is replaced by the generated kernels, not kept beside them.

export interface WgslBinding {
  readonly name: string;
  readonly access: "read" | "read_write";
}

export interface WgslPass {
  readonly name: string;
  readonly dispatch: "elements" | "single";
  readonly bindings: readonly WgslBinding[];
  readonly variants: readonly string[];
}

export interface WgslKernel {
  readonly rule: string;
  readonly file: string;
  readonly buffers: readonly string[];
  readonly flags: readonly string[];
  readonly scalars: readonly string[];
  readonly uniformSize: number;
  readonly workgroupSize: 256;
  readonly reductions: number;
  readonly results: number;
  readonly passes: readonly WgslPass[];
}

function adamVariant(amsgrad: boolean, maximize: boolean): string {
  return `struct Params { n: u32, base: u32, decay: f32, weightDecay: f32, beta1: f32, beta2: f32, stepSize: f32, inverseBiasCorrection2Sqrt: f32, eps: f32 }
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> expAvg: array<f32>;
@group(0) @binding(3) var<storage, read_write> expAvgSq: array<f32>;
@group(0) @binding(4) var<storage, read_write> maxExpAvgSq: array<f32>;
@group(0) @binding(5) var<storage, read> gate: array<f32>;
@group(0) @binding(6) var<uniform> u: Params;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * 256u);
  if (i >= u.n || gate[0] != 0.0) { return; }
  let w = 1.0 - u.beta1;
  let theta = param[i] * u.decay;
  let g = ${maximize ? "-grad[i]" : "grad[i]"} + u.weightDecay * theta;
  let m = expAvg[i] + w * (g - expAvg[i]);
  let v = u.beta2 * expAvgSq[i] + (1.0 - u.beta2) * g * g;
  expAvg[i] = m;
  expAvgSq[i] = v;
  var vHat = v;
${amsgrad ? "  vHat = max(maxExpAvgSq[i], v);\n  maxExpAvgSq[i] = vHat;\n" : ""}  param[i] = theta - u.stepSize * (m / (sqrt(vHat) * u.inverseBiasCorrection2Sqrt + u.eps));
}
`;
}

export const WGSL_KERNELS: Readonly<Record<string, WgslKernel>> = {
  adamUpdate: {
    rule: "adamUpdate",
    file: "adam",
    buffers: ["param", "grad", "expAvg", "expAvgSq", "maxExpAvgSq"],
    flags: ["amsgrad", "maximize"],
    scalars: ["decay", "weightDecay", "beta1", "beta2", "stepSize", "inverseBiasCorrection2Sqrt", "eps"],
    uniformSize: 48,
    workgroupSize: 256,
    reductions: 0,
    results: 0,
    passes: [
      {
        name: "update",
        dispatch: "elements",
        bindings: [
          { name: "param", access: "read_write" },
          { name: "grad", access: "read" },
          { name: "expAvg", access: "read_write" },
          { name: "expAvgSq", access: "read_write" },
          { name: "maxExpAvgSq", access: "read_write" },
          { name: "gate", access: "read" },
        ],
        variants: [
          adamVariant(false, false),
          adamVariant(true, false),
          adamVariant(false, true),
          adamVariant(true, true),
        ],
      },
    ],
  },
};
