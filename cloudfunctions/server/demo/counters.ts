import type { CounterName } from '@xiaoer/shared/domain/counters';
import type { CounterIncrement } from '@xiaoer/shared/ports/storage';
import type { DemoCalendar } from './time';

/**
 * The dashboard counters, incremented as the rows are made so they agree with them day by day.
 * One increment per (counter, event id): the storage dedupes on the event id, and so does this.
 */
export class CounterLog {
  private readonly incs = new Map<string, CounterIncrement>();

  constructor(private readonly cal: DemoCalendar) {}

  inc(name: CounterName, at: number, eventId: string, amount = 1): void {
    const key = `${name}|${eventId}`;
    if (!this.incs.has(key)) this.incs.set(key, { day: this.cal.dayOf(at), hour: Math.floor(this.cal.localOffset(at) / 3_600_000), name, amount, eventId });
  }

  list(): CounterIncrement[] {
    return [...this.incs.values()];
  }
}
