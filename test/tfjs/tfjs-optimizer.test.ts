import assert from "node:assert/strict";
import { arena } from "../../src/core/arena.js";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { Adam } from "../../src/optim/adam.js";
import { AdamW } from "../../src/optim/adamw.js";
import { RMSprop } from "../../src/optim/rmsprop.js";
import { SGD } from "../../src/optim/sgd.js";
import { param } from "../../src/core/param.js";
import { clipGradNorm } from "../../src/clip/clip-grad.js";
import { type OptimizerFactory, TfjsOptimizer } from "../../src/tfjs/tfjs-optimizer.js";

before(async () => {
  await tf.setBackend("cpu");
});

function mlp(seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: 8,
        inputShape: [4],
        activation: "tanh",
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.dense({
        units: 1,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
        biasInitializer: "ones",
      }),
    ],
  });
}

function data(n = 48): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  return tf.tidy(() => {
    const xs = tf.randomNormal([n, 4], 0, 1, "float32", 7) as tf.Tensor2D;
    const ys = xs
      .matMul(tf.tensor2d([[1], [-2], [0.5], [3]]))
      .add(0.3)
      .tanh() as tf.Tensor2D;
    return { xs, ys };
  });
}

/** A layer weight's tf.Variable. */
const v = (w: tf.LayerVariable): tf.Variable => w.read() as tf.Variable;

function values(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe("TfjsOptimizer", () => {
  it("trains a tf.sequential model 3 epochs exactly as descent Adam fed the same model's gradients directly", async () => {
    const model = mlp(1);
    const twin = mlp(1); // an independent copy: its gradients are computed from the directly-updated params
    const tfOpt = new TfjsOptimizer(model.trainableWeights, (p) => new Adam(p, { lr: 0.01, amsgrad: true }));
    model.compile({ optimizer: tfOpt, loss: "meanSquaredError" });
    const direct = twin.trainableWeights.map((w) =>
      param(v(w).dataSync() as Float32Array, { shape: v(w).shape }),
    );
    const adam = new Adam(direct, { lr: 0.01, amsgrad: true });
    const { xs, ys } = data();
    await model.fit(xs, ys, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
    for (let epoch = 0; epoch < 3; epoch++) {
      for (let start = 0; start < 48; start += 16) {
        const { grads } = tf.tidy(() => {
          const xb = xs.slice([start, 0], [16, 4]);
          const yb = ys.slice([start, 0], [16, 1]);
          return tf.variableGrads(
            () => tf.mean(tf.square(tf.sub(twin.apply(xb) as tf.Tensor, yb))) as tf.Scalar,
            twin.trainableWeights.map(v),
          );
        });
        twin.trainableWeights.forEach((w, i) => {
          const g = grads[v(w).name]!;
          direct[i]!.grad = g.dataSync() as Float32Array;
          g.dispose();
        });
        adam.step();
        tf.tidy(() => {
          twin.trainableWeights.forEach((w, i) => {
            w.write(tf.tensor(direct[i]!.data.slice(), v(w).shape));
          });
        });
      }
    }
    assert.equal(tfOpt.iterations, 9);
    const got = model.trainableWeights.map((w) => v(w).dataSync());
    got.forEach((g, i) => {
      const want = direct[i]!.data;
      for (let k = 0; k < g.length; k++) {
        assert.ok(
          Math.abs(g[k]! - want[k]!) <= 1e-5 * (1 + Math.abs(want[k]!)),
          `weight ${i}[${k}]: ${g[k]} vs ${want[k]}`,
        );
      }
    });
    // the params live in descent's arena (wasm memory), where the WebAssembly kernels run
    for (const p of tfOpt.params.values()) assert.ok(arena()!.owns(p.data));
    // and the adapter's own params are the variables' values, bit for bit
    model.trainableWeights.forEach((w) => {
      assert.deepEqual(tfOpt.params.get(v(w).name)!.data, v(w).dataSync());
    });
  });

  const cases: Array<[string, OptimizerFactory]> = [
    ["AdamW", (p) => new AdamW(p, { lr: 0.02, weightDecay: 0.01 })],
    ["SGD", (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true })],
    ["RMSprop", (p) => new RMSprop(p, { lr: 0.005, centered: true })],
  ];
  for (const [name, make] of cases) {
    it(`${name} through compile/fit reduces the loss`, async () => {
      const model = mlp(3);
      model.compile({
        optimizer: new TfjsOptimizer(model.trainableWeights, make),
        loss: "meanSquaredError",
      });
      const { xs, ys } = data();
      const h = await model.fit(xs, ys, { epochs: 8, batchSize: 16, verbose: 0 });
      const loss = h.history.loss as number[];
      assert.ok(loss[loss.length - 1]! < 0.7 * loss[0]!, `loss ${loss.join(", ")}`);
    });
  }

  it("builds groups from name patterns: AdamW decays the kernels but not the biases", () => {
    const model = mlp(5);
    const tfOpt = new TfjsOptimizer(
      model.trainableWeights,
      (p) => new AdamW(p, { lr: 0.1, weightDecay: 0.5 }),
      {
        groups: [{ match: /bias/, weightDecay: 0 }],
      },
    );
    const groups = tfOpt.optimizer.paramGroups;
    assert.deepEqual(
      groups.map((g) => [g.weightDecay, g.params.map((p) => p.name)]),
      [
        [
          0.5,
          ["dense_Dense1/kernel", "dense_Dense2/kernel"].map(
            (n) => model.layers[n.includes("1") ? 0 : 1]!.weights[0]!.originalName,
          ),
        ],
        [0, model.layers.map((l) => l.weights[1]!.originalName)],
      ],
    );
    const before = values(model);
    // zero gradients: AdamW's only change is the decoupled decay p *= 1 - lr * weightDecay
    tfOpt.applyGradients(
      model.trainableWeights.map((w) => ({ name: v(w).name, tensor: tf.zerosLike(v(w)) })),
    );
    const after = values(model);
    before.forEach((b, i) => {
      const isBias = model.getWeights()[i]!.shape.length === 1;
      for (let k = 0; k < b.length; k++) {
        assert.equal(
          after[i]![k],
          isBias ? b[k] : Math.fround(b[k]! * Math.fround(1 - 0.05)),
          `weight ${i}[${k}]`,
        );
      }
    });
  });

  it("builds groups from layer names: a string takes that layer's variables", () => {
    const model = mlp(8);
    const first = model.layers[0]!.name;
    const tfOpt = new TfjsOptimizer(model.trainableWeights, (p) => new SGD(p, { lr: 0.1 }), {
      groups: [{ match: first, lr: 0.01 }],
    });
    assert.deepEqual(
      tfOpt.optimizer.paramGroups.map((g) => [g.lr, g.params.map((p) => p.name!.split("/")[0])]),
      [
        [0.1, [model.layers[1]!.name, model.layers[1]!.name]],
        [0.01, [first, first]],
      ],
    );
  });

  it("groups by layer name survive save/load (tfjs-layers camelCases strings in a loaded config: dense_1 → dense1)", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 3, inputShape: [2], name: "hidden_layer" }),
        tf.layers.dense({ units: 1, name: "out_layer" }),
      ],
    });
    const make = new TfjsOptimizer(model.trainableWeights, (p) => new SGD(p, { lr: 0.1 }), {
      groups: [
        { match: "hidden_layer", lr: 0.01 },
        { match: /out_layer\/bias/, lr: 0.5 },
      ],
    });
    model.compile({ optimizer: make, loss: "meanSquaredError" });
    const { xs } = data(8);
    await model.fit(xs.slice([0, 0], [8, 2]), tf.zeros([8, 1]), { epochs: 1, verbose: 0 });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
      { includeOptimizer: true },
    );
    const restored = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const opt = restored.optimizer as TfjsOptimizer;
    opt.bind(restored.trainableWeights);
    const layout = (o: TfjsOptimizer) =>
      o.optimizer.paramGroups.map((g) => [g.lr, g.params.map((p) => p.name)]);
    assert.deepEqual(layout(opt), layout(make));
    assert.deepEqual(opt.options, make.options);
  });

  it("instanceof TfjsOptimizer is true only for adapters, not for tf.train optimizers", () => {
    const v = tf.variable(tf.zeros([2]), true, "instanceof_probe");
    const adapter = new TfjsOptimizer([v], (params) => new SGD(params, { lr: 0.1 }));
    assert.ok(adapter instanceof TfjsOptimizer);
    assert.ok(adapter instanceof tf.Optimizer);
    assert.equal(tf.train.adam() instanceof TfjsOptimizer, false);
    adapter.dispose();
    v.dispose();
  });

  it("fromConfig refuses an optimizer class it does not know, saying how to register it", () => {
    assert.throws(
      () => TfjsOptimizer.fromConfig(TfjsOptimizer, { optimizer: "MyOpt", defaults: {}, options: {} }),
      /unknown optimizer class 'MyOpt'; register it with registerOptimizerClass\('MyOpt', MyOpt\)/,
    );
    assert.throws(
      () => TfjsOptimizer.fromConfig(TfjsOptimizer, { optimizer: "Adam", json64: "not base64 ~" }),
      /the config is corrupt/,
    );
    assert.throws(
      () => TfjsOptimizer.fromConfig(TfjsOptimizer, { optimizer: "MyOpt", defaults: {}, options: {} }),
      /unknown optimizer class 'MyOpt'; register it with registerOptimizerClass\('MyOpt', MyOpt\)/,
    );
  });

  it("a group whose pattern matches no variable is refused, naming the pattern and the variables", () => {
    const model = mlp(6);
    assert.throws(
      () =>
        new TfjsOptimizer(model.trainableWeights, (p) => new Adam(p), {
          groups: [{ match: /gamma/, weightDecay: 0 }],
        }),
      /groups\[0\] \(match \/gamma\/\) matches no variable; names are .*kernel/,
    );
  });

  it("keeps the number of live tensors flat across training steps", async () => {
    const model = mlp(7);
    model.compile({
      optimizer: new TfjsOptimizer(model.trainableWeights, (p) => new Adam(p)),
      loss: "meanSquaredError",
    });
    const { xs, ys } = data();
    await model.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0 });
    const start = tf.memory().numTensors;
    await model.fit(xs, ys, { epochs: 3, batchSize: 16, verbose: 0 });
    assert.equal(tf.memory().numTensors, start);
    const opt = new TfjsOptimizer(model.trainableWeights, (p) => new SGD(p, { lr: 0.01 }), {
      maxGradNorm: 1,
    });
    const f = () => tf.mean(tf.square(tf.sub(model.apply(xs) as tf.Tensor, ys))) as tf.Scalar;
    opt.minimize(f, false);
    const afterOne = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) opt.minimize(f, false);
    assert.equal(tf.memory().numTensors, afterOne);
  });

  it("minimize(f) over plain tf.Variables updates them and returns the cost", () => {
    const w = tf.variable(tf.tensor1d([3, -2]), true, "tfjs-test-w");
    const opt = new TfjsOptimizer([w], (p) => new SGD(p, { lr: 0.25 }));
    const cost = opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, true, [w]);
    assert.equal(cost!.dataSync()[0], 13);
    cost!.dispose();
    // grad 2w, lr 0.25: w ← w − 0.5 w
    assert.deepEqual(Array.from(w.dataSync()), [1.5, -1]);
    assert.deepEqual(Array.from(opt.params.get("tfjs-test-w")!.data), [1.5, -1]);
    w.dispose();
  });

  it("takes a variable's new values when something else assigned it (model.setWeights) between steps", () => {
    const w = tf.variable(tf.tensor1d([1, 1]), true, "tfjs-test-assigned");
    const opt = new TfjsOptimizer([w], (p) => new SGD(p, { lr: 0.5 }));
    opt.applyGradients({ "tfjs-test-assigned": tf.tensor1d([1, 1]) });
    assert.deepEqual(Array.from(w.dataSync()), [0.5, 0.5]);
    w.assign(tf.tensor1d([10, 20]));
    opt.applyGradients([{ name: "tfjs-test-assigned", tensor: tf.tensor1d([2, 2]) }]);
    assert.deepEqual(Array.from(w.dataSync()), [9, 19]);
    w.dispose();
  });

  it("writes the variables in place on the cpu backend after the first step, and never a tensor a user still holds", () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, "tfjs-test-inplace");
    const opt = new TfjsOptimizer([w], (p) => new SGD(p, { lr: 1 }));
    opt.applyGradients({ "tfjs-test-inplace": tf.tensor1d([1, 1]) });
    assert.equal(opt.lastWriteMode, "assign");
    opt.applyGradients({ "tfjs-test-inplace": tf.tensor1d([1, 1]) });
    assert.equal(opt.lastWriteMode, "in-place");
    const held = w.clone(); // shares the variable's storage: the next write must not change it
    opt.applyGradients({ "tfjs-test-inplace": tf.tensor1d([1, 1]) });
    assert.equal(opt.lastWriteMode, "assign");
    assert.deepEqual(Array.from(held.dataSync()), [-1, 0]);
    assert.deepEqual(Array.from(w.dataSync()), [-2, -1]);
    held.dispose();
    w.dispose();
  });

  it("refuses a gradient for an unknown variable or of the wrong shape, changing nothing", () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, "tfjs-test-refuse");
    const opt = new TfjsOptimizer([w], (p) => new Adam(p, { lr: 0.1 }));
    assert.throws(
      () => opt.applyGradients({ "tfjs-test-refuse": tf.tensor1d([1, 1]), other: tf.tensor1d([1]) }),
      /'other', which is not among the 1 variables/,
    );
    assert.throws(
      () => opt.applyGradients({ "tfjs-test-refuse": tf.tensor1d([1, 1, 1]) }),
      /has shape \[3\] but the variable has shape \[2\]/,
    );
    assert.deepEqual(Array.from(w.dataSync()), [1, 2]);
    assert.equal(opt.optimizer.state.size, 0);
    assert.equal(opt.iterations, 0);
    w.dispose();
  });

  it("refuses bad arguments with the bad value in the message", () => {
    const w = tf.variable(tf.tensor1d([1]), true, "tfjs-test-args");
    assert.throws(() => new TfjsOptimizer([w], "adam" as never), /factory must be a function.*"adam"/);
    assert.throws(() => new TfjsOptimizer([], (p) => new Adam(p)), /empty list of variables/);
    assert.throws(() => new TfjsOptimizer([w, w], (p) => new Adam(p)), /'tfjs-test-args' is listed twice/);
    assert.throws(
      () => new TfjsOptimizer([w], (p) => new Adam(p), { maxGradNorm: -1 }),
      /TfjsOptimizer: Invalid maxGradNorm: -1 \(expected a finite number > 0\)/,
    );
    assert.throws(
      () => new TfjsOptimizer([w], (p) => new Adam(p), { onNonFinite: "ignore" as never }),
      /TfjsOptimizer: Invalid onNonFinite: "ignore" \(expected one of "skip", "error"\)/,
    );
    assert.throws(
      () => new TfjsOptimizer([w], (p) => new Adam(p), { clip: 1 } as never),
      /unknown option 'clip'/,
    );
    assert.throws(() => new TfjsOptimizer([w], () => ({}) as never), /must return a descent optimizer/);
    w.dispose();
  });

  it("maxGradNorm clips the gradients' joint norm across all variables before the step", () => {
    const a = tf.variable(tf.tensor1d([0, 0]), true, "tfjs-test-clip-a");
    const b = tf.variable(tf.tensor1d([0]), true, "tfjs-test-clip-b");
    const opt = new TfjsOptimizer([a, b], (p) => new SGD(p, { lr: 1 }), { maxGradNorm: 1 });
    opt.applyGradients({ "tfjs-test-clip-a": tf.tensor1d([3, 0]), "tfjs-test-clip-b": tf.tensor1d([4]) });
    const ref = [param([3, 0]), param([4])];
    ref[0]!.grad = new Float32Array([3, 0]);
    ref[1]!.grad = new Float32Array([4]);
    clipGradNorm(ref, 1);
    assert.deepEqual(
      Array.from(a.dataSync()),
      Array.from(ref[0]!.grad!, (g) => Math.fround(0 - g)),
    );
    assert.deepEqual(
      Array.from(b.dataSync()),
      Array.from(ref[1]!.grad!, (g) => Math.fround(0 - g)),
    );
    assert.ok(Math.abs(b.dataSync()[0]! + 0.8) < 1e-6);
    a.dispose();
    b.dispose();
  });

  it('onNonFinite "skip" skips a step with a NaN gradient entirely and counts it', () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, "tfjs-test-skip");
    const opt = new TfjsOptimizer([w], (p) => new Adam(p, { lr: 0.1 }), { onNonFinite: "skip" });
    opt.applyGradients({ "tfjs-test-skip": tf.tensor1d([1, 1]) });
    const after1 = Array.from(w.dataSync());
    const state = opt.stateDict();
    opt.applyGradients({ "tfjs-test-skip": tf.tensor1d([Number.NaN, 1]) });
    assert.equal(opt.skipped, 1);
    assert.equal(opt.iterations, 1);
    assert.deepEqual(Array.from(w.dataSync()), after1);
    assert.deepEqual(opt.stateDict(), state);
    w.dispose();
  });

  it('onNonFinite "error" throws naming the variable and element, changing nothing', () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, "tfjs-test-error");
    const opt = new TfjsOptimizer([w], (p) => new Adam(p, { lr: 0.1 }), { onNonFinite: "error" });
    assert.throws(
      () => opt.applyGradients({ "tfjs-test-error": tf.tensor1d([0, Number.POSITIVE_INFINITY]) }),
      (e: unknown) =>
        e instanceof RangeError &&
        /^TfjsOptimizer\.step: the grad of variable 'tfjs-test-error' is not finite \(element 1 is Infinity\); nothing was updated$/.test(
          e.message,
        ),
    );
    assert.deepEqual(Array.from(w.dataSync()), [1, 2]);
    assert.equal(opt.optimizer.state.size, 0);
    assert.equal(opt.iterations, 0);
    w.dispose();
  });

  it("checks for non-finite gradients before clipping, and clips the steps it lets through", () => {
    const a = tf.variable(tf.tensor1d([0, 0]), true, "tfjs-test-gate-a");
    const b = tf.variable(tf.tensor1d([0, 0]), true, "tfjs-test-gate-b");
    const grads = (bad: number) => ({
      "tfjs-test-gate-a": tf.tensor1d([3, 0]),
      "tfjs-test-gate-b": tf.tensor1d([0, bad]),
    });
    const make = (onNonFinite: "skip" | "error") =>
      new TfjsOptimizer([a, b], (p) => new SGD(p, { lr: 1 }), { maxGradNorm: 1, onNonFinite });
    // a clip first would scale every gradient by the NaN norm: the error would name a's element 0
    assert.throws(
      () => make("error").applyGradients(grads(Number.NaN)),
      /the grad of variable 'tfjs-test-gate-b' is not finite \(element 1 is NaN\)/,
    );
    const opt = make("skip");
    opt.applyGradients(grads(Number.POSITIVE_INFINITY));
    assert.equal(opt.skipped, 1);
    assert.deepEqual([...a.dataSync(), ...b.dataSync()], [0, 0, 0, 0]);
    opt.applyGradients(grads(4));
    assert.equal(opt.skipped, 1);
    const clipped = [param([3, 0]), param([0, 4])];
    clipped[0]!.grad = new Float32Array([3, 0]);
    clipped[1]!.grad = new Float32Array([0, 4]);
    clipGradNorm(clipped, 1);
    assert.deepEqual(
      [...a.dataSync(), ...b.dataSync()],
      [...clipped[0]!.grad!, ...clipped[1]!.grad!].map((g) => Math.fround(0 - g)),
    );
    assert.equal(opt.iterations, 1);
    a.dispose();
    b.dispose();
  });

  it("resumes exactly through model.save({ includeOptimizer: true }) and tf.loadLayersModel", async () => {
    const { xs, ys } = data();
    const make = (m: tf.LayersModel) =>
      new TfjsOptimizer(m.trainableWeights, (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.1 }), {
        groups: [{ match: /bias/, weightDecay: 0 }],
      });
    const straight = mlp(11);
    straight.compile({ optimizer: make(straight), loss: "meanSquaredError" });
    await straight.fit(xs, ys, { epochs: 4, batchSize: 16, shuffle: false, verbose: 0 });

    const first = mlp(11);
    const firstOpt = make(first);
    first.compile({ optimizer: firstOpt, loss: "meanSquaredError" });
    await first.fit(xs, ys, { epochs: 2, batchSize: 16, shuffle: false, verbose: 0 });
    firstOpt.optimizer.paramGroups[0]!.lr = 0.01; // a value a scheduler could have written: it travels too
    let saved: tf.io.ModelArtifacts | undefined;
    await first.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
      { includeOptimizer: true },
    );
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    // saved again before any step (its optimizer has not bound to the variables yet): nothing is lost
    assert.equal((reloaded.optimizer as TfjsOptimizer).bound, false);
    await reloaded.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
      { includeOptimizer: true },
    );
    const restored = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const opt = restored.optimizer as TfjsOptimizer;
    // (not instanceof: tf.Optimizer's Symbol.hasInstance accepts any optimizer)
    assert.equal(opt.constructor, TfjsOptimizer);
    assert.equal(opt.getClassName(), "DescentOptimizer");
    assert.equal(opt.iterations, 6);
    await restored.fit(xs, ys, { epochs: 2, batchSize: 16, shuffle: false, verbose: 0 });
    assert.deepEqual(values(restored), values(straight));
    assert.deepEqual(
      opt.optimizer.paramGroups.map((g) => g.weightDecay),
      [0.1, 0],
    );
  });

  it("a restored optimizer binds explicitly (to attach a scheduler before the first step) with its saved state and lr", async () => {
    const { xs, ys } = data();
    const model = mlp(17);
    const tfOpt = new TfjsOptimizer(model.trainableWeights, (p) => new Adam(p, { lr: 0.01 }));
    model.compile({ optimizer: tfOpt, loss: "meanSquaredError" });
    await model.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0 });
    tfOpt.optimizer.paramGroups[0]!.lr = 0.004;
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
      { includeOptimizer: true },
    );
    const restored = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const opt = restored.optimizer as TfjsOptimizer;
    assert.throws(() => opt.optimizer, /not bound to variables yet .* call bind\(model.trainableWeights\)/);
    opt.bind(restored.trainableWeights);
    assert.equal(opt.optimizer.paramGroups[0]!.lr, 0.004);
    assert.deepEqual(opt.stateDict(), tfOpt.stateDict());
    assert.throws(() => opt.bind(restored.trainableWeights), /already bound/);
  });

  it("getWeights/setWeights move the full state into a fresh adapter over a fresh model", async () => {
    const { xs, ys } = data();
    const a = mlp(13);
    const aOpt = new TfjsOptimizer(a.trainableWeights, (p) => new RMSprop(p, { lr: 0.01, momentum: 0.5 }));
    a.compile({ optimizer: aOpt, loss: "meanSquaredError" });
    await a.fit(xs, ys, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    const b = mlp(99);
    b.setWeights(a.getWeights());
    const bOpt = new TfjsOptimizer(b.trainableWeights, (p) => new RMSprop(p, { lr: 0.01, momentum: 0.5 }));
    b.compile({ optimizer: bOpt, loss: "meanSquaredError" });
    const weights = await aOpt.getWeights();
    await bOpt.setWeights(weights);
    tf.dispose(weights.map((w) => w.tensor));
    await a.fit(xs, ys, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    await b.fit(xs, ys, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    assert.deepEqual(values(b), values(a));
    assert.equal(bOpt.iterations, aOpt.iterations);
  });

  it("setWeights refuses another optimizer's state, changing nothing", async () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, "tfjs-test-setweights");
    const sgd = new TfjsOptimizer([w], (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }));
    sgd.applyGradients({ "tfjs-test-setweights": tf.tensor1d([1, 1]) });
    const before = sgd.stateDict();
    const other = tf.variable(tf.tensor1d([1, 2]), true, "tfjs-test-setweights-2");
    const adam = new TfjsOptimizer([other], (p) => new Adam(p));
    adam.applyGradients({ "tfjs-test-setweights-2": tf.tensor1d([1, 1]) });
    await assert.rejects(
      sgd.setWeights(await adam.getWeights()),
      /the weights are Adam state but this optimizer is SGD/,
    );
    const tfAdam = tf.train.adam();
    tfAdam.applyGradients([{ name: "tfjs-test-setweights-2", tensor: tf.tensor1d([1, 1]) }]);
    await assert.rejects(
      sgd.setWeights(await tfAdam.getWeights()),
      /expected 'descent\/state' as the second weight/,
    );
    await assert.rejects(sgd.setWeights([]), /expected the weights getWeights\(\) made/);
    assert.deepEqual(sgd.stateDict(), before);
    w.dispose();
    other.dispose();
  });
});
