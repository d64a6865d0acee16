import { statusFor } from '@xiaoer/shared/domain/errors';

/**
 * What every failed `call` throws. `code` is the backend's stable NAMESPACE.REASON (or one of
 * the client's own: NETWORK.*, CLIENT.*); `message` is Chinese text fit to show an owner;
 * `status` is the HTTP status on H5, or the one the code implies on weapp.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** What the backend adds to a refusal: INPUT.INVALID names the field (`{path}` or `[{path, message}]`). */
  readonly details?: unknown;

  constructor(code: string, message: string, status: number = statusFor(code), details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    if (details !== undefined) this.details = details;
  }
}

/** The session is missing or expired (not: logged in but lacking a permission). */
export const isAuthExpired = (err: unknown): boolean => err instanceof ApiError && err.status === 401;
