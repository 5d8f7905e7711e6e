// The steps that stop what the composition root started, run in reverse order; a failing step is logged, not fatal.

/** One stop step. */
export type StopStep = () => Promise<void> | void;

/** Stop steps in the order things started; `stopAll` runs them last first. */
export class Teardown {
  private readonly steps: StopStep[] = [];

  constructor(private readonly log: (line: string) => void) {}

  /** Adds the step that undoes what was just started. */
  add(step: StopStep): void {
    this.steps.push(step);
  }

  /** Runs every step, newest first; each runs once. */
  async stopAll(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error: unknown) {
        this.log(`while stopping: ${messageOf(error)}`);
      }
    }
  }
}

/** An error's message. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
