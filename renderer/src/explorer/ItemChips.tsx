/** An item's attributes as chips: "genre: Drama", one chip per value of a list. */
import type { ItemView } from '../contracts.ts';

export function attributeChips(attrs: ItemView['attributes']): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(attrs)) {
    if (Array.isArray(v)) for (const x of v) out.push(x);
    else out.push(`${k}: ${v}`);
  }
  return out;
}

export function ItemChips({ attributes }: { attributes: ItemView['attributes'] }) {
  const chips = attributeChips(attributes);
  if (chips.length === 0) return null;
  return (
    <span className="chips">
      {chips.map((c) => (
        <span key={c} className="chip">
          {c}
        </span>
      ))}
    </span>
  );
}
