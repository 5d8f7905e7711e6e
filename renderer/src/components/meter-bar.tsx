// A horizontal bar with an accessible value: VRAM used of total, a wake's progress.
import type { ReactElement } from 'react';

/** A filled bar; `role` is meter (a quantity) or progressbar (a task). Null `fraction` draws an indeterminate bar. */
export function MeterBar(props: {
  readonly label: string;
  readonly fraction: number | null;
  readonly valueText: string;
  readonly role: 'meter' | 'progressbar';
  readonly tone?: 'normal' | 'warn';
}): ReactElement {
  const pct =
    props.fraction === null ? null : Math.round(Math.min(1, Math.max(0, props.fraction)) * 100);
  return (
    <div
      className={`bar bar-${props.tone ?? 'normal'}${pct === null ? ' bar-indeterminate' : ''}`}
      role={props.role}
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct ?? undefined}
      aria-valuetext={props.valueText}
    >
      <div className="bar-fill" style={{ width: pct === null ? '35%' : `${pct}%` }} />
    </div>
  );
}
