import type { Audience } from '@xiaoer/shared/domain/audience';

/**
 * The audience builder's state and the expression it stands for (issue 16 §1): customers with
 * the picked tags — all of them (都要有) or any one (有一个就行) — minus anyone with an excluded
 * tag. Exclusions alone mean "everyone without these tags".
 */
export interface AudienceDraft {
  include: string[];
  mode: 'all' | 'any';
  exclude: string[];
}

export const emptyAudience = (): AudienceDraft => ({ include: [], mode: 'any', exclude: [] });

/** The expression, or null while no tag is picked. */
export function buildAudience(d: AudienceDraft): Audience | null {
  const nots: Audience[] = d.exclude.map((t) => ({ not: t }));
  if (d.include.length === 0) return nots.length === 0 ? null : nots.length === 1 ? nots[0]! : { all: nots };
  if (nots.length === 0) return d.include.length === 1 ? d.include[0]! : d.mode === 'all' ? { all: d.include } : { any: d.include };
  if (d.include.length === 1 || d.mode === 'all') return { all: [...d.include, ...nots] };
  return { all: [{ any: d.include }, ...nots] };
}

const isTag = (x: unknown): x is string => typeof x === 'string';
const isNotTag = (x: unknown): x is { not: string } => typeof x === 'object' && x !== null && Object.keys(x).length === 1 && isTag((x as { not?: unknown }).not);
const listOf = (x: unknown, key: 'all' | 'any'): unknown[] | null => {
  if (typeof x !== 'object' || x === null || Object.keys(x).length !== 1) return null;
  const v = (x as Record<string, unknown>)[key];
  return Array.isArray(v) ? v : null;
};

/** A stored expression back in the builder; null when it has a shape the builder cannot show (made on the command line). */
export function draftOfAudience(a: unknown): AudienceDraft | null {
  if (isTag(a)) return { include: [a], mode: 'any', exclude: [] };
  if (isNotTag(a)) return { include: [], mode: 'any', exclude: [a.not] };
  const any = listOf(a, 'any');
  if (any) return any.every(isTag) ? { include: any, mode: 'any', exclude: [] } : null;
  const all = listOf(a, 'all');
  if (!all) return null;
  const include = all.filter(isTag);
  const exclude = all.filter(isNotTag).map((n) => n.not);
  const rest = all.filter((p) => !isTag(p) && !isNotTag(p));
  if (rest.length === 0) return { include, mode: 'all', exclude };
  const inner = rest.length === 1 && include.length === 0 ? listOf(rest[0], 'any') : null;
  return inner && inner.every(isTag) ? { include: inner, mode: 'any', exclude } : null;
}
