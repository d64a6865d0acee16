import { z } from 'zod';

/** `{ ok:false, code:'NAMESPACE.REASON', message }` — the one error shape every transport returns. */
export const ErrorEnvelope = z.object({
  ok: z.literal(false),
  code: z.string().regex(/^[A-Z_]+\.[A-Z_]+$/),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

export const okEnvelope = <T extends z.ZodTypeAny>(data: T) => z.object({ ok: z.literal(true), data });
export type Envelope<T> = { ok: true; data: T } | ErrorEnvelope;

export { describeZodError, parseInput } from '../domain/validation';
