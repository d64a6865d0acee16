import type { Storage } from './storage';
import type { SecretBox } from './secrets';
import type { Clock } from '../domain/time';
import type { Timers } from './timers';

/** Random ids and codes, injected so the demo seed and tests can be deterministic. */
export interface IdGen {
  id(prefix: string): string;
  /** 8 characters from an alphabet without look-alikes (no 0/O, 1/I). */
  inviteCode(): string;
}

export interface Deps {
  storage: Storage;
  clock: Clock;
  secrets: SecretBox;
  ids: IdGen;
  timers: Timers;
  /** A number in [0, 1) for backoff jitter; absent: no jitter (tests stay deterministic). */
  random?: () => number;
}

export const INVITE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
