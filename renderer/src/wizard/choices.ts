/** The wizard's choices, their defaults, and the validation each step runs before moving on. */
import { create } from 'zustand';
import { type DATASET_FORMAT_NAMES, parseTrainCounts, type RECOMMENDER_PRESETS } from '../contracts.ts';

export type Method = 'B' | 'I' | 'H';
export type DatasetFormat = (typeof DATASET_FORMAT_NAMES)[number];
export type Preset = (typeof RECOMMENDER_PRESETS)[number];

export const TASKS: { id: number; name: string; methods: Method[] }[] = [
  { id: 1, name: 'next item', methods: ['B', 'I', 'H'] },
  { id: 2, name: 'ranking', methods: ['B', 'I', 'H'] },
  { id: 3, name: 'interest', methods: ['B', 'I', 'H'] },
  { id: 4, name: 'discrimination', methods: ['B', 'I', 'H'] },
  { id: 5, name: 'replay', methods: ['B', 'I', 'H'] },
  { id: 6, name: 'history', methods: ['I', 'H'] },
  { id: 7, name: 'rationale', methods: ['B', 'I', 'H'] },
];

export const METHODS: { id: Method; name: string }[] = [
  { id: 'B', name: 'B — titles only (behaviour)' },
  { id: 'I', name: 'I — recommender vectors injected' },
  { id: 'H', name: 'H — vectors and titles (hybrid)' },
];

export interface CsvChoice {
  userCol: string;
  itemCol: string;
  timeCol: string;
  titleCol: string;
  delimiter: string;
}

export interface WizardChoices {
  /** reproducible: one CPU thread for training and scoring, so every run gives the same numbers. */
  project: { mode: 'create' | 'open'; dir: string; name: string; reproducible: boolean };
  dataset: {
    source: 'demo' | 'folder';
    users: number;
    items: number;
    input: string;
    format: DatasetFormat | null;
    csv: CsvChoice;
  };
  recommender: { preset: Preset; epochs: number };
  llm: { source: 'tiny' | 'hf'; steps: number; hfDir: string };
  /**
   * trainCounts: training examples per task as "2=3000,3=8000" ('' = the engine's defaults).
   * embeddings: train the token embedding table ('auto' = the engine's default: when it is small, as the tiny LM's).
   * steps: optimizer steps for every method (null = each method's default, DEFAULT_ALIGN_STEPS).
   */
  align: {
    methods: Method[];
    tasks: number[];
    steps: number | null;
    trainCounts: string;
    embeddings: EmbeddingsChoice;
    evaluate: boolean;
  };
  /** Steps the project already has whose stage the user chose to redo anyway. */
  redo: { dataset: boolean; recommender: boolean; llm: boolean };
}

export type EmbeddingsChoice = 'auto' | 'train' | 'frozen';

export const defaultChoices = (): WizardChoices => ({
  project: { mode: 'create', dir: '', name: '', reproducible: false },
  dataset: {
    source: 'demo',
    users: 300,
    items: 150,
    input: '',
    format: null,
    csv: { userCol: '', itemCol: '', timeCol: '', titleCol: '', delimiter: '' },
  },
  recommender: { preset: 'sasrec-original', epochs: 20 },
  llm: { source: 'tiny', steps: 300, hfDir: '' },
  align: {
    methods: ['I'],
    tasks: [1, 2, 3, 4, 5, 6, 7],
    steps: null,
    trainCounts: '',
    embeddings: 'auto',
    evaluate: true,
  },
  redo: { dataset: false, recommender: false, llm: false },
});

export type Errors = Record<string, string>;

const isAbsolute = (p: string) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
const intIn = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;

export function validateProject(c: WizardChoices['project'], mode: 'electron' | 'browser'): Errors {
  const e: Errors = {};
  if (!c.dir.trim()) e.dir = mode === 'electron' ? 'Choose a folder.' : 'Type the folder of the project.';
  else if (!isAbsolute(c.dir.trim())) e.dir = 'Use an absolute path (starting with / or a drive letter).';
  if (c.mode === 'create' && c.name.length > 0 && !c.name.trim()) e.name = 'A name needs a visible character.';
  return e;
}

export function validateDataset(c: WizardChoices['dataset'], previewed: boolean): Errors {
  const e: Errors = {};
  if (c.source === 'demo') {
    if (!intIn(c.users, 10, 100000)) e.users = 'Users: a whole number from 10 to 100000.';
    if (!intIn(c.items, 10, 100000)) e.items = 'Items: a whole number from 10 to 100000.';
    return e;
  }
  if (!c.input.trim()) e.input = 'Type the folder or file to import.';
  else if (!isAbsolute(c.input.trim())) e.input = 'Use an absolute path.';
  else if (!previewed) e.input = 'Preview the folder first, to check what will be imported.';
  else if (!c.format) e.format = 'No format was detected: pick one.';
  if (c.format === 'csv') {
    if (!c.csv.userCol) e['csv.userCol'] = 'Pick the user column.';
    if (!c.csv.itemCol) e['csv.itemCol'] = 'Pick the item column.';
  }
  return e;
}

export function validateRecommender(c: WizardChoices['recommender']): Errors {
  return intIn(c.epochs, 1, 1000) ? {} : { epochs: 'Epochs: a whole number from 1 to 1000.' };
}

export function validateLlm(c: WizardChoices['llm'], inspected: boolean): Errors {
  if (c.source === 'tiny') return intIn(c.steps, 1, 100000) ? {} : { steps: 'Steps: a whole number from 1 to 100000.' };
  if (!c.hfDir.trim()) return { dir: 'Type the model folder (with config.json and *.safetensors).' };
  if (!isAbsolute(c.hfDir.trim())) return { dir: 'Use an absolute path.' };
  return inspected ? {} : { dir: 'Inspect the model first, to check it fits in memory.' };
}

/** Task ids that apply to a method (history reconstruction needs a user vector: not for B). */
export const tasksForMethod = (tasks: readonly number[], m: Method) =>
  tasks.filter((t) => TASKS.find((x) => x.id === t)?.methods.includes(m));

export function validateAlign(c: WizardChoices['align']): Errors {
  const e: Errors = {};
  if (c.methods.length === 0) e.methods = 'Pick at least one method.';
  if (c.tasks.length === 0) e.tasks = 'Pick at least one task.';
  else for (const m of c.methods) if (tasksForMethod(c.tasks, m).length === 0) e.tasks = `No task applies to ${m}.`;
  if (c.steps !== null && !intIn(c.steps, 1, 1000000))
    e.steps = 'Steps: a whole number from 1 to 1000000, or empty for each method’s default.';
  const counts = c.trainCounts.trim() ? parseTrainCounts(c.trainCounts) : null;
  if (counts && 'error' in counts) e.trainCounts = `Examples per task: ${counts.error}.`;
  return e;
}

export interface WizardState {
  step: number;
  choices: WizardChoices;
  setStep(step: number): void;
  update<K extends keyof WizardChoices>(key: K, patch: Partial<WizardChoices[K]>): void;
  reset(): void;
}

export const useWizardStore = create<WizardState>()((set) => ({
  step: 0,
  choices: defaultChoices(),
  setStep: (step) => set({ step }),
  update: (key, patch) => set((s) => ({ choices: { ...s.choices, [key]: { ...s.choices[key], ...patch } } })),
  reset: () => set({ step: 0, choices: defaultChoices() }),
}));
