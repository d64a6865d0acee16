/**
 * One error type for the whole product. `code` is stable (NAMESPACE.REASON) and is what
 * callers branch on; `message` is Chinese text fit to show an owner.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = statusFor(code),
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export function statusFor(code: string): number {
  const ns = code.split('.')[0];
  switch (ns) {
    case 'AUTH':
      return code === 'AUTH.FORBIDDEN' || code === 'AUTH.ROLE_REQUIRED' ? 403 : 401;
    case 'INPUT':
      return code === 'INPUT.TOO_LARGE' ? 413 : 400;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    // invite failures are the caller's (README "Invite codes"): never a 500
    case 'INVITE':
      return INVITE_STATUS[code] ?? 400;
    case 'RATE':
      return 429;
    case 'CONFIG':
      return 500;
    default:
      return 500;
  }
}

const INVITE_STATUS: Record<string, number> = { 'INVITE.BAD_FORMAT': 400, 'INVITE.NOT_FOUND': 404, 'INVITE.USED': 409, 'INVITE.EXPIRED': 410 };

export const notFound = (what: string) => new AppError(`NOT_FOUND.${what.toUpperCase()}`, '没找到这条记录');
export const forbidden = () => new AppError('AUTH.FORBIDDEN', '你没有这家店的权限');
export const ownerOnly = () => new AppError('AUTH.ROLE_REQUIRED', '这项只有老板能看和改');
export const invalid = (message: string, details?: unknown) => new AppError('INPUT.INVALID', message, 400, details);
