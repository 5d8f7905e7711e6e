// A notice for something the machine lacks (a Docker Engine that does not answer, no GPU): what works, what to do.
import type { ReactElement } from 'react';
import type { SetupAdvice } from '../../../main/core/api/contract';

/** One piece of first-run advice as a notice; an alert for the engine (nothing wakes without it), a status for the GPU. */
export function SetupNotice({ advice }: { readonly advice: SetupAdvice }): ReactElement {
  const heading = `${advice.topic}-heading`;
  return (
    <section
      className="notice"
      role={advice.topic === 'engine' ? 'alert' : 'status'}
      aria-labelledby={heading}
    >
      <h2 id={heading}>{advice.title}</h2>
      <p aria-label={`${advice.title}: what Siesta was told`}>{advice.detail}.</p>
      <p aria-label={`${advice.title}: what works`}>
        <strong>What works:</strong> {advice.works}.
      </p>
      <p aria-label={`${advice.title}: what to do`}>
        <strong>What to do:</strong> {advice.todo}.
      </p>
    </section>
  );
}
