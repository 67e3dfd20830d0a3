/** Schema of `<project>/project.json`: schema-versioned project settings. */
import { z } from 'zod';

export const PROJECT_SCHEMA_VERSION = 1;

export const projectFileSchema = z.object({
  schemaVersion: z.literal(PROJECT_SCHEMA_VERSION),
  name: z.string().min(1),
  createdAt: z.string(),
  /** Seed every random choice of the project derives from. */
  seed: z.number().int(),
  /**
   * CPU threads of the project's training and scoring when a command does not say (default: all
   * cores). 1 makes every run give the same numbers: ORT's multi-threaded training kernels do not
   * sum in a fixed order. The wizard's "Reproducible" choice sets it.
   */
  threads: z.number().int().min(1).optional(),
  data: z
    .object({
      format: z.string(),
      importedAt: z.string(),
      contentHash: z.string(),
    })
    .optional(),
  /** The language model of the project: the built-in tiny LM or a Hugging Face directory. */
  llm: z
    .object({
      kind: z.enum(['tiny', 'hf']),
      /** Relative to the project folder for the tiny LM; absolute for a user's HF directory. */
      path: z.string(),
    })
    .optional(),
});

export type ProjectFile = z.infer<typeof projectFileSchema>;
