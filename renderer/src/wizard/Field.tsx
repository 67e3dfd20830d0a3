/** A labelled input with its error in plain words right under it (linked for screen readers). */
import type { ReactNode } from 'react';

interface FieldProps {
  id: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  children: (a11y: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}

export function Field({ id, label, error, hint, children }: FieldProps) {
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': !!error, 'aria-describedby': describedBy || undefined })}
      {hint && (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      )}
      {/* Always rendered (maybe empty) so an error appearing does not push the form down. */}
      <p id={`${id}-error`} className="field-error" role={error ? 'alert' : undefined} data-testid={`${id}-error`}>
        {error ?? ''}
      </p>
    </div>
  );
}

/** Integer input value: NaN for empty or partial input, which validation then reports. */
export const toInt = (v: string) => (v.trim() === '' ? Number.NaN : Number(v));

export function FormError({ error, testId }: { error?: string; testId: string }) {
  return (
    <p className="form-error" role={error ? 'alert' : undefined} data-testid={testId}>
      {error ?? ''}
    </p>
  );
}
