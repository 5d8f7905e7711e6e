// Turns a zod error into problems that name the field and say what was expected, for users and the API's error envelope.
import type { z } from 'zod';

/** One thing wrong with an input: the field (dotted path, or the unknown key) and a message that names it. */
export interface ValidationProblem {
  /** Dotted path such as `notifications.wake`; empty for the input as a whole. */
  readonly field: string;
  readonly message: string;
}

/** Parse options that make zod keep the offending value, so messages can say what they got. */
export const REPORT_INPUT = { reportInput: true } as const;

/** Every problem in a zod error, unknown keys first, each naming its field and what was expected. */
export function validationProblems(
  error: z.ZodError,
  describeUnknown: (key: string) => string = (key) => `unknown field "${key}"`,
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const field = base ? `${base}.${key}` : key;
        problems.unshift({ field, message: describeUnknown(field) });
      }
      continue;
    }
    const message = issue.message.startsWith('Invalid input: ')
      ? issue.message.slice('Invalid input: '.length)
      : issue.message;
    const got =
      'input' in issue && issue.input !== undefined ? `, got ${shortJson(issue.input)}` : '';
    problems.push({ field: base, message: `${base ? `${base}: ` : ''}${message}${got}` });
  }
  return problems;
}

/** The first problem of a zod error (what an error envelope carries). */
export function firstValidationProblem(
  error: z.ZodError,
  describeUnknown?: (key: string) => string,
): ValidationProblem {
  return validationProblems(error, describeUnknown)[0] ?? { field: '', message: error.message };
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
