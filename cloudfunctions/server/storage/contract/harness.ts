import type { Storage } from '@xiaoer/shared/ports/storage';

/** What an adapter hands the contract suites: a fresh, empty storage per test. */
export type MakeStorage = () => Promise<Storage>;

export function withStorage(make: MakeStorage) {
  const ctx = { s: undefined as unknown as Storage };
  beforeEach(async () => {
    ctx.s = await make();
  });
  afterEach(async () => {
    await ctx.s.close();
  });
  return ctx;
}
