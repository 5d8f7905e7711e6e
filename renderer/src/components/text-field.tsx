// A labelled text input with its error below it, announced and tied to the input (the settings and model forms).
import type { ReactElement } from 'react';

/** A labelled text input with its error below it (announced, and tied to the input). */
export function TextField(props: {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly error: string | null;
  readonly onChange: (value: string) => void;
  readonly placeholder?: string;
}): ReactElement {
  const errorId = `${props.id}-error`;
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        value={props.value}
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
      />
      {props.error ? (
        <p id={errorId} className="error" role="alert">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
