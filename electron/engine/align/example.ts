/**
 * One alignment example (docs/alignment.md): a prompt as ordered segments, the target answer, and
 * what evaluation needs. The chat template and tokenization are the encoder's job (encode.ts); an
 * example only says which pieces are text, which are droppable history titles and where the
 * `<user>` / `<item>` placeholders stand.
 */

/** B = titles only; I = `<user>` / `<item>` placeholders only; H = placeholders and titles. */
export type Method = 'B' | 'I' | 'H';
export const METHODS: readonly Method[] = ['B', 'I', 'H'];

/**
 * 1 next-item retrieval · 2 ranking · 3 interest classification · 4 item discrimination ·
 * 5 general-text replay · 6 history reconstruction (I and H) · 7 rationale (DESIGN.md §6).
 */
export type TaskId = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const TASK_IDS: readonly TaskId[] = [1, 2, 3, 4, 5, 6, 7];

export const TASK_NAMES: Record<TaskId, string> = {
  1: 'next-item retrieval',
  2: 'ranking',
  3: 'interest classification',
  4: 'item discrimination',
  5: 'text replay',
  6: 'history reconstruction',
  7: 'rationale',
};

/** Tasks trained for a method: history reconstruction needs a user vector to read from. */
export function tasksFor(method: Method): TaskId[] {
  return TASK_IDS.filter((t) => t !== 6 || method !== 'B');
}

export type Segment =
  | { kind: 'text'; text: string }
  /** Oldest first; the encoder drops titles from the front when the prompt is too long. */
  | { kind: 'history'; titles: string[] }
  /** The `<user>` placeholder; ref = anchor row in the exports (its user vector). */
  | { kind: 'user'; ref: number }
  /** The `<item>` placeholder; ref = item id (its row of the recommender's item table). */
  | { kind: 'item'; ref: number };

/** Task 4's question: the item's title, its attributes, its most similar item, or (B) attributes → title. */
export type DiscriminationVariant = 'title' | 'attributes' | 'similar' | 'reverse';

export interface ExampleMeta {
  /** Index of the phrasing in the task's template list (templates.ts). */
  template: number;
  /** Tasks 1, 7: the recommender's top-1 item and its title. */
  top1?: number;
  top1Title?: string;
  /** Task 2: candidates as shown (shuffled) and in model order (best first). */
  shown?: number[];
  modelOrder?: number[];
  modelOrderTitles?: string[];
  /** Tasks 3, 4: the item asked about; task 3: the recommender's label. */
  item?: number;
  label?: 'Yes' | 'No';
  /** Tasks 1, 2, 3, 6, 7: the last ≤ 9 history titles (oldest first) and their item ids. */
  historyTitles?: string[];
  historyItems?: number[];
  /** Task 4: the variant, and for 'similar' the recommender's nearest item (sim_item). */
  variant?: DiscriminationVariant;
  similar?: number;
  /** Task 7: the items the explanation cites (largest leave-one-out score drop first), their drops, shared attributes. */
  cited?: number[];
  drops?: number[];
  sharedAttributes?: string[];
  /** Task 5: line of the corpus. */
  corpusLine?: number;
}

export interface AlignExample {
  task: TaskId;
  method: Method;
  /** 1-based user; 0 for task 5. */
  user: number;
  /** Row in the exports; −1 for task 5. */
  anchor: number;
  split: 'train' | 'test';
  segments: Segment[];
  answer: string;
  meta: ExampleMeta;
}

export const HISTORY_SEPARATOR = '; ';

/** The prompt as plain text, placeholders written as their token strings (for logs, the UI, tests). */
export function promptText(segments: readonly Segment[], userToken = '<user>', itemToken = '<item>'): string {
  const piece = (s: Segment): string => {
    if (s.kind === 'text') return s.text;
    if (s.kind === 'history') return s.titles.join(HISTORY_SEPARATOR);
    return s.kind === 'user' ? userToken : itemToken;
  };
  return segments.map(piece).join('');
}
