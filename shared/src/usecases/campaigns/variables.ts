import { invalid } from '../../domain/errors';

/**
 * The variables a campaign or follow-up text may use (issue 16 §1), each with the words used when
 * a customer has no value for it, so no one ever reads a blank or a brace.
 */
export const VARIABLES = {
  称呼: '亲',
  上次买的: '上次那款',
  多少天没来: '好些',
} as const;
export type VariableName = keyof typeof VARIABLES;
export type VariableValues = Partial<Record<VariableName, string>>;

const PATTERN = /\{([^{}\s]{1,10})\}/g;

/** The text, checked: INPUT.INVALID names a `{…}` that is not one of ours. */
export function checkVariables(text: string, path: string): void {
  for (const m of text.matchAll(PATTERN)) {
    if (!Object.hasOwn(VARIABLES, m[1]!))
      throw invalid(
        `「{${m[1]}}」不是能用的变量，可以用：${Object.keys(VARIABLES)
          .map((v) => `{${v}}`)
          .join('、')}`,
        [{ path }],
      );
  }
}

/** Whether the text differs per customer (then each customer's is a task of its own). */
export const isPersonal = (text: string) => [...text.matchAll(PATTERN)].some((m) => Object.hasOwn(VARIABLES, m[1]!));

export function renderText(text: string, values: VariableValues): string {
  return text.replace(PATTERN, (all, name: string) => (Object.hasOwn(VARIABLES, name) ? values[name as VariableName] || VARIABLES[name as VariableName] : all));
}
