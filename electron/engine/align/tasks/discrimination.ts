/**
 * Task 4, item discrimination: one item → its title, its attributes, or the title of the item the
 * recommender finds most similar (sim_item); B also asks the reverse, attributes → title. The
 * item is a random one of the anchor's candidates (drawn uniformly from the non-history items),
 * so the examples follow the anchors' train/test split.
 * Per method: B has no title variant (the title is the prompt); I asks for the title of `<item>`;
 * H asks it of `<item>` alone, since showing the title would give the answer away.
 * 'similar' needs a recommender with item vectors; 'attributes' and 'reverse' an item with attributes.
 */
import type { Rng } from '../../random.ts';
import { NO_ITEM } from '../../recommender/export/summary.ts';
import type { AlignExample, DiscriminationVariant } from '../example.ts';
import { attributeText, DISCRIMINATION_FRAMES, itemPhrase, renderFrame } from '../templates.ts';
import { type AnchorTask, anchorExample, candidatesOf, type Split, type TaskContext, titleOf } from './context.ts';

function similarOf(ctx: TaskContext, item: number): number | null {
  const s = ctx.exports.simItem?.[item];
  return s === undefined || s === NO_ITEM ? null : s;
}

/** The variants `item` supports under the context's method. */
export function discriminationVariants(ctx: TaskContext, item: number): DiscriminationVariant[] {
  const hasAttributes = attributeText(ctx.dataset.itemRecords[item - 1].attributes) !== '';
  const out: DiscriminationVariant[] = [];
  if (ctx.method !== 'B') out.push('title');
  if (hasAttributes) out.push('attributes');
  if (similarOf(ctx, item) !== null) out.push('similar');
  if (ctx.method === 'B' && hasAttributes) out.push('reverse');
  return out;
}

export const discriminationTask: AnchorTask = {
  id: 4,
  eligible: (ctx, row) => candidatesOf(ctx, row).some((i) => discriminationVariants(ctx, i).length > 0),
  build(ctx: TaskContext, row: number, split: Split, rng: Rng): AlignExample {
    const usable = candidatesOf(ctx, row).filter((i) => discriminationVariants(ctx, i).length > 0);
    const item = usable[rng.int(usable.length)];
    const variants = discriminationVariants(ctx, item);
    const variant = variants[rng.int(variants.length)];
    const frames = DISCRIMINATION_FRAMES[variant];
    const template = rng.int(frames.length);
    const title = titleOf(ctx, item);
    const attributes = attributeText(ctx.dataset.itemRecords[item - 1].attributes);
    const segments = renderFrame(frames[template], {
      item: variant === 'reverse' ? [] : itemPhrase(ctx.method, item, title, rng, variant === 'title'),
      attributes: [{ kind: 'text', text: attributes }],
    });
    const similar = variant === 'similar' ? similarOf(ctx, item)! : undefined;
    const answer = variant === 'attributes' ? attributes : variant === 'similar' ? titleOf(ctx, similar!) : title;
    return {
      ...anchorExample(ctx, 4, row, split),
      segments,
      answer,
      meta: { template, item, variant, ...(similar === undefined ? {} : { similar }) },
    };
  },
};
