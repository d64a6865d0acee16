import type { CounterName } from '../../domain/counters';
import type { Merchant } from '../../domain/merchant';
import { dayOf, hourOf } from '../../domain/time';
import type { Deps } from '../../ports/deps';

export interface Count {
  name: CounterName;
  /** When the source event happened: decides the merchant-local day. */
  at: number;
  /** Deterministic id of the source event: a second increment with it is ignored. */
  eventId: string;
  amount?: number;
  storeId?: string;
}

/** Counter increments on the merchant's days (its time zone), once per source event. */
export async function count(deps: Deps, merchant: Pick<Merchant, 'id' | 'timezone'>, counts: Count[]): Promise<number> {
  if (!counts.length) return 0;
  return deps.storage.counters.increment(
    merchant.id,
    counts.map((c) => ({
      day: dayOf(c.at, merchant.timezone),
      hour: hourOf(c.at, merchant.timezone),
      name: c.name,
      amount: c.amount ?? 1,
      eventId: c.eventId,
      ...(c.storeId ? { storeId: c.storeId } : {}),
    })),
  );
}
