/** Reads, creates and updates `<project>/project.json` (validated against contracts/project.ts). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_SCHEMA_VERSION, type ProjectFile, projectFileSchema } from '../../contracts/project.ts';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from './atomic-io.ts';

export const PROJECT_FILE = 'project.json';

export function projectFilePath(projectDir: string): string {
  return path.join(projectDir, PROJECT_FILE);
}

/** Reads project.json; null when the folder has none. Invalid content is a user error naming the field. */
export async function readProjectFile(projectDir: string): Promise<ProjectFile | null> {
  const file = projectFilePath(projectDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: expected valid JSON (${(e as Error).message})`);
  }
  const parsed = projectFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${file}: field "${issue.path.join('.')}": ${issue.message}`);
  }
  return parsed.data;
}

export function newProjectFile(projectDir: string, seed: number, now = new Date()): ProjectFile {
  return {
    schemaVersion: PROJECT_SCHEMA_VERSION,
    name: path.basename(path.resolve(projectDir)),
    createdAt: now.toISOString(),
    seed,
  };
}

/** The threads a command uses: its own setting, else the project's (project.json `threads`), else all cores. */
export async function projectThreads(projectDir: string, explicit?: number): Promise<number | undefined> {
  return explicit ?? (await readProjectFile(projectDir))?.threads;
}

export async function writeProjectFile(projectDir: string, project: ProjectFile): Promise<void> {
  await writeFileAtomic(projectFilePath(projectDir), `${JSON.stringify(projectFileSchema.parse(project), null, 2)}\n`);
}
