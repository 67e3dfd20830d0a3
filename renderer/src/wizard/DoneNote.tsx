/** Shown on a step whose stage the open project already has: skip it, or tick to redo it. */
import type { ReactNode } from 'react';

export function DoneNote({
  id,
  children,
  redo,
  onRedo,
  redoLabel,
}: {
  id: string;
  children: ReactNode;
  redo: boolean;
  onRedo: (v: boolean) => void;
  redoLabel: string;
}) {
  return (
    <div className="done-note" data-testid={`${id}-done`}>
      <p>
        <span aria-hidden="true">✓ </span>Already done: {children}
      </p>
      <label>
        <input type="checkbox" checked={redo} onChange={(e) => onRedo(e.target.checked)} data-testid={`${id}-redo`} />
        {redoLabel}
      </label>
    </div>
  );
}
