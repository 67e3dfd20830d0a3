/**
 * Runs an auditor's ONNX user encoder: histories (dataset item ids) → the model's ids → left-padded
 * [B, maxLength] int64 (or int32) → user vectors [B, d]. Also checks, before anything runs, that
 * the model declares the input and output the manifest names with the ranks and types we feed.
 */

import { DatasetFormatError, InputError } from '../../errors.ts';
import { OnnxFileSession, type OnnxValueInfo } from '../../graph/onnx-file-session.ts';
import type { SessionSettings } from '../../graph/session.ts';
import { shapeText } from './float-tensor-file.ts';

export interface EncoderSignature {
  input: string;
  output: string;
  maxLength: number;
  inputType: 'int64' | 'int32';
  /** Fixed batch size the model was exported with; null when the batch dimension is symbolic. */
  batchSize: number | null;
}

/** Batch size used when the model accepts any. */
const CHUNK = 256;

export async function openEncoderSession(file: string, settings?: SessionSettings): Promise<OnnxFileSession> {
  try {
    return await OnnxFileSession.open(file, settings);
  } catch (e) {
    throw new InputError(`${file}: the ONNX runtime could not load the user encoder: ${(e as Error).message}`);
  }
}

/**
 * Checks the declared input/output against the manifest (`manifestFile` is named for wrong names,
 * `encoderFile` for wrong ranks/types) and returns what the runner needs.
 */
export function checkEncoderSignature(
  session: OnnxFileSession,
  want: { input: string; output: string; maxLength: number },
  manifestFile: string,
  encoderFile: string,
): EncoderSignature {
  const names = (vs: OnnxValueInfo[]) => vs.map((v) => v.name).join(', ');
  const input = session.inputs.find((v) => v.name === want.input);
  if (!input) {
    throw new DatasetFormatError({
      file: manifestFile,
      field: 'input',
      expected: `an input of ${encoderFile} (it has: ${names(session.inputs)})`,
      got: want.input,
    });
  }
  const others = session.inputs.filter((v) => v !== input);
  if (others.length > 0) {
    throw new DatasetFormatError({
      file: encoderFile,
      field: 'inputs',
      expected: `one input, the history "${want.input}" (the encoder also needs: ${names(others)})`,
    });
  }
  const output = session.outputs.find((v) => v.name === want.output);
  if (!output) {
    throw new DatasetFormatError({
      file: manifestFile,
      field: 'output',
      expected: `an output of ${encoderFile} (it has: ${names(session.outputs)})`,
      got: want.output,
    });
  }
  if (input.type !== 'int64' && input.type !== 'int32') {
    throw new DatasetFormatError({
      file: encoderFile,
      field: `input ${input.name}`,
      expected: 'an int64 (or int32) tensor of item ids',
      got: input.type ?? 'a non-tensor value',
    });
  }
  if (input.shape && input.shape.length !== 2) {
    throw new DatasetFormatError({
      file: encoderFile,
      field: `input ${input.name}`,
      expected: 'rank 2 [batch, sequence] (left-padded item ids)',
      got: `rank ${input.shape.length} ${shapeText(input.shape)}`,
    });
  }
  const seq = input.shape?.[1];
  if (typeof seq === 'number' && seq !== want.maxLength) {
    throw new DatasetFormatError({
      file: manifestFile,
      field: 'maxLength',
      expected: `${seq}, the sequence length ${encoderFile} was exported with`,
      got: String(want.maxLength),
    });
  }
  if (output.type !== 'float32' && output.type !== 'float64') {
    throw new DatasetFormatError({
      file: encoderFile,
      field: `output ${output.name}`,
      expected: 'a float32 (or float64) tensor of user vectors',
      got: output.type ?? 'a non-tensor value',
    });
  }
  if (output.shape && output.shape.length !== 2) {
    throw new DatasetFormatError({
      file: encoderFile,
      field: `output ${output.name}`,
      expected: 'rank 2 [batch, dim] (one vector per user)',
      got: `rank ${output.shape.length} ${shapeText(output.shape)}`,
    });
  }
  const batch = input.shape?.[0];
  return {
    input: input.name,
    output: output.name,
    maxLength: want.maxLength,
    inputType: input.type,
    batchSize: typeof batch === 'number' && batch > 0 ? batch : null,
  };
}

export class OnnxUserEncoder {
  constructor(
    private readonly session: OnnxFileSession,
    readonly signature: EncoderSignature,
    /** Model item id per dataset item id (entry 0 = 0); null when they are the same. */
    private readonly modelIds: Int32Array | null,
    readonly numItems: number,
    /** Names the encoder in errors. */
    private readonly file: string,
  ) {}

  private feed(histories: readonly Uint32Array[], rows: number) {
    const L = this.signature.maxLength;
    const ids = this.signature.inputType === 'int64' ? new BigInt64Array(rows * L) : new Int32Array(rows * L);
    histories.forEach((h, r) => {
      const start = Math.max(0, h.length - L);
      for (let k = start; k < h.length; k++) {
        const item = h[k];
        if (item < 1 || item > this.numItems) {
          throw new InputError(`history item ${item} is not an item of the dataset (1…${this.numItems})`);
        }
        const m = this.modelIds ? this.modelIds[item] : item;
        const at = r * L + L - (h.length - k);
        if (ids instanceof BigInt64Array) ids[at] = BigInt(m);
        else ids[at] = m;
      }
    });
    return { dtype: this.signature.inputType, dims: [rows, L], data: ids };
  }

  /** User vectors [histories.length, d] and d. */
  async encode(histories: readonly Uint32Array[]): Promise<{ data: Float32Array; dim: number }> {
    const chunk = this.signature.batchSize ?? CHUNK;
    const parts: Float32Array[] = [];
    let dim = -1;
    for (let s = 0; s < histories.length; s += chunk) {
      const part = histories.slice(s, s + chunk);
      const rows = this.signature.batchSize ?? part.length;
      const out = (await this.session.run({ [this.signature.input]: this.feed(part, rows) }, [this.signature.output]))[
        this.signature.output
      ];
      if (out.dims.length !== 2 || out.dims[0] !== rows || (dim !== -1 && out.dims[1] !== dim)) {
        throw new DatasetFormatError({
          file: this.file,
          field: `output ${this.signature.output}`,
          expected: `shape [${rows}, d] for a batch of ${rows}`,
          got: shapeText(out.dims),
        });
      }
      dim = out.dims[1];
      const data = out.data instanceof Float32Array ? out.data : Float32Array.from(out.data as Float64Array);
      parts.push(data.subarray(0, part.length * dim));
    }
    const data = new Float32Array(histories.length * Math.max(dim, 0));
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    return { data, dim };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
