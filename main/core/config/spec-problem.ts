// Building and printing spec problems: where (FILE:LINE or container), the field, and what was expected.
import type { SpecProblem, SpecSource } from './model-spec';

/** A value as an error message shows it: JSON, cut short when long. */
export function shownValue(raw: unknown): string {
  let text: string;
  try {
    text = raw === undefined ? 'nothing' : (JSON.stringify(raw) ?? typeof raw);
  } catch {
    text = typeof raw;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Where a spec came from, as problems name it: `siesta.yaml:7` or `container "llm-1"`. */
export function sourceWhere(source: SpecSource): string {
  switch (source.kind) {
    case 'yaml':
      return `${source.file}:${source.line}`;
    case 'label':
      return `container "${source.container}"`;
  }
}

/** One line for a log, a notification or the CLI: `siesta.yaml:7: model "qwen": idle="ten minutes": expected ...`. */
export function formatSpecProblem(problem: SpecProblem): string {
  return `${problem.where}: ${problem.message}`;
}
