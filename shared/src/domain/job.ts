import { z } from 'zod';
import { Instant } from './ids';

/**
 * One row of the job ledger. `key` is deterministic (`report:daily:<merchant>:<date>`), so
 * two schedulers that compute the same due job collide on it and only one does the work.
 */
export const JobStatus = z.enum(['pending', 'running', 'done', 'failed']);
export const Job = z.object({
  key: z.string().min(1).max(200),
  /** The merchant it works for, or PLATFORM for platform-wide chores (sweeps, token refresh). */
  merchantId: z.string().min(1),
  kind: z.string().min(1),
  payload: z.record(z.string(), z.unknown()).default({}),
  status: JobStatus,
  runAt: Instant,
  attempts: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  leaseUntil: Instant.optional(),
  lastError: z.string().optional(),
  result: z.unknown().optional(),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Job = z.infer<typeof Job>;
export const PLATFORM = '_platform';

/** A new ledger row: pending, no attempts yet (5 by default). */
export function newJob(j: Pick<Job, 'key' | 'merchantId' | 'kind' | 'runAt'> & Partial<Pick<Job, 'payload' | 'maxAttempts'>>, now: number): Job {
  return {
    key: j.key,
    merchantId: j.merchantId,
    kind: j.kind,
    payload: j.payload ?? {},
    status: 'pending',
    runAt: j.runAt,
    attempts: 0,
    maxAttempts: j.maxAttempts ?? 5,
    createdAt: now,
    updatedAt: now,
  };
}
