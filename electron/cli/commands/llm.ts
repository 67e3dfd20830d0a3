/** `recx llm create-tiny | load | generate | info`. */
import type { Command } from 'commander';
import { llmInfo } from '../../engine/llm/model-info.ts';
import { generateText, loadProjectLlm, projectLlmDir } from '../../engine/llm/project-llm.ts';
import { createTinyLm } from '../../engine/llm/tiny-lm.ts';
import type { CommandContext } from '../main.ts';
import { intOption, positiveNumberOption, THREADS_HELP } from '../options.ts';
import { printJson } from '../output.ts';
import { attachTrainingProgress } from '../training-progress.ts';

interface GenerateFlags {
  project: string;
  prompt: string;
  maxNewTokens: number;
  beams?: number;
  sample?: boolean;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed: number;
}

export function registerLlmCommands(program: Command, ctx: CommandContext): void {
  const llm = program.command('llm').description('create, load and run the language model');
  llm
    .command('create-tiny')
    .description('build the built-in tiny LM from the project corpus: tokenizer, pre-training, HF folder')
    .requiredOption('--project <dir>', 'project folder (with an imported dataset)')
    .option('--steps <n>', 'pre-training steps (default: ~4 epochs, 300–1500)', intOption(1))
    .option('--seed <s>', 'random seed (default: the project seed)', intOption(0))
    .option('--threads <n>', THREADS_HELP, intOption(1))
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: { project: string; steps?: number; seed?: number; threads?: number }) => {
      let stop = () => {};
      const r = await createTinyLm(f.project, {
        steps: f.steps,
        seed: f.seed,
        threads: f.threads,
        onTrainer: (t) => {
          stop = attachTrainingProgress(t, 'tiny-lm');
        },
      });
      stop();
      if (ctx.json) printJson(ctx.io, r);
      else {
        ctx.io.stdout(
          `Tiny LM saved to ${r.dir}\n  ${r.parameters.toLocaleString('en-US')} parameters, vocabulary ${r.vocabSize}, ` +
            `${r.steps} steps on ${r.corpusTokens.toLocaleString('en-US')} corpus tokens, final loss ${r.finalLoss.toFixed(3)}, ` +
            `${r.seconds.toFixed(1)} s\n`,
        );
      }
    });
  llm
    .command('load')
    .description('use a Hugging Face model folder (Llama / Mistral / Qwen2) as the project language model')
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--path <hf-dir>', 'folder with config.json, *.safetensors and tokenizer.json')
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: { project: string; path: string }) => {
      const r = await loadProjectLlm(f.project, f.path);
      if (ctx.json) printJson(ctx.io, r);
      else ctx.io.stdout(`The project now uses ${r.dir} (${r.architecture})\n`);
    });
  llm
    .command('generate')
    .description('continue a prompt with the project language model')
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--prompt <text>', 'prompt text')
    .option('--max-new-tokens <n>', 'tokens to generate at most', intOption(1), 32)
    .option('--beams <n>', 'beam search with n beams (returns n sequences)', intOption(1))
    .option('--sample', 'sample instead of greedy decoding')
    .option('--temperature <x>', 'sampling temperature', positiveNumberOption)
    .option('--top-p <x>', 'nucleus sampling mass', positiveNumberOption)
    .option('--top-k <n>', 'sample among the k most likely tokens', intOption(1))
    .option('--seed <s>', 'sampling seed', intOption(0), 42)
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: GenerateFlags) => {
      const dir = await projectLlmDir(f.project);
      let shown = 0;
      const stream = !ctx.json && !f.beams;
      const seqs = await generateText(dir, f.prompt, {
        maxNewTokens: f.maxNewTokens,
        beams: f.beams,
        sample: f.sample ? { temperature: f.temperature, topP: f.topP, topK: f.topK, seed: f.seed } : undefined,
        onText: (text) => {
          if (!stream) return;
          ctx.io.stdout(text.slice(shown));
          shown = text.length;
        },
      });
      if (ctx.json) {
        printJson(ctx.io, {
          prompt: f.prompt,
          sequences: seqs.map((s) => ({
            text: s.text,
            tokens: s.tokens,
            score: s.score,
            finishReason: s.finishReason,
          })),
        });
      } else if (stream) ctx.io.stdout(`${(seqs[0].text ?? '').slice(shown)}\n`);
      else for (const [k, s] of seqs.entries()) ctx.io.stdout(`${k + 1}. ${s.text} (score ${s.score.toFixed(3)})\n`);
    });
  llm
    .command('info')
    .description('describe a Hugging Face model folder: architecture, size, vocabulary, memory for LoRA training')
    .requiredOption('--path <hf-dir>', 'model folder')
    .option('--json', 'print one JSON object on stdout')
    .action(async (f: { path: string }) => {
      const info = await llmInfo(f.path);
      if (ctx.json) printJson(ctx.io, info);
      else ctx.io.stdout(`${JSON.stringify(info, null, 2)}\n`);
    });
}
