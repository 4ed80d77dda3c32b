import { readFileSync } from "node:fs";
import { extname } from "node:path";
import type { Command } from "commander";
import { CheckpointError } from "../../checkpoint/checkpoint-error.js";
import { writeFileAtomic } from "../../checkpoint/node.js";
import { safetensorsToTorch, torchToSafetensors } from "../../torch/convert.js";
import { TorchFormatError } from "../../torch/torch-format-error.js";
import { UsageError } from "../args.js";
import type { CliIO } from "../output.js";

const TORCH = new Set([".pt", ".pth", ".bin", ".ckpt"]);

/** `descent convert`: a torch.save file to safetensors and back. */
export function addConvertCommand(program: Command, io: CliIO): void {
  program
    .command("convert")
    .description("convert a torch.save file (.pt, .pth) to .safetensors or back, refusing what does not map")
    .argument("<input>", "the file to read (.pt/.pth or .safetensors)")
    .argument("<output>", "the file to write (.safetensors or .pt/.pth)")
    .action(async (input: string, output: string) => {
      const from = extname(input).toLowerCase();
      const to = extname(output).toLowerCase();
      const toSafetensors = TORCH.has(from) && to === ".safetensors";
      const toTorch = from === ".safetensors" && TORCH.has(to);
      if (!toSafetensors && !toTorch) {
        throw new UsageError(
          `convert goes from .pt/.pth to .safetensors or back, not ${from || input} → ${to || output}`,
        );
      }
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(input);
      } catch (e) {
        throw new UsageError(`cannot read ${input}: ${(e as Error).message}`);
      }
      let converted: Uint8Array;
      try {
        converted = toSafetensors ? torchToSafetensors(bytes) : safetensorsToTorch(bytes);
      } catch (e) {
        if (e instanceof TorchFormatError || e instanceof CheckpointError)
          throw new UsageError(`${input}: ${e.message}`);
        throw e;
      }
      await writeFileAtomic(output, converted);
      io.stdout.write(`wrote ${output} (${converted.length} bytes)\n`);
    });
}
