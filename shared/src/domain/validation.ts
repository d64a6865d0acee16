import type { z } from 'zod';
import { AppError } from './errors';

/** Turns zod issues into one short Chinese message plus machine-readable paths. */
export function describeZodError(err: z.ZodError): { message: string; details: { path: string; message: string }[] } {
  const details = err.issues.slice(0, 10).map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  const first = details[0];
  return { message: `输入有误：${first ? `${first.path} ${first.message}` : '格式不对'}`, details };
}

/** Validates input at an edge: the data, or AppError INPUT.INVALID with the first problems. */
export function parseInput<T extends z.ZodTypeAny>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const { message, details } = describeZodError(r.error);
    throw new AppError('INPUT.INVALID', message, 400, details);
  }
  return r.data as z.infer<T>;
}
