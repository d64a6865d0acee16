/** A small in-memory BM25 index over weighted fields (k1 1.2, b 0.75, stack-notes §5). */

export type WeightedTokens = { tokens: string[]; weight: number }[];

export type Bm25Index = {
  /** Scores for every document (same order as added). */
  score(queryTokens: string[]): number[];
  /** The most a single document could score for these query tokens (for normalization); tokens no document has count at the rarest idf. */
  ideal(queryTokens: string[]): number;
  idf(token: string): number;
  /** Whether document `doc` has `token` (the evidence behind a score). */
  has(token: string, doc: number): boolean;
  size: number;
};

export function buildBm25(docs: WeightedTokens[], k1 = 1.2, b = 0.75): Bm25Index {
  // postings: token → the documents that have it and the weighted term frequency in each, so a
  // query touches only the documents sharing a token with it (a 5,000-FAQ shop stays fast)
  const postings = new Map<string, { doc: number[]; tf: number[] }>();
  const lens: number[] = [];
  docs.forEach((fields, i) => {
    const tf = new Map<string, number>();
    let len = 0;
    for (const f of fields) {
      for (const t of f.tokens) tf.set(t, (tf.get(t) ?? 0) + f.weight);
      len += f.tokens.length * f.weight;
    }
    for (const [t, f] of tf) {
      let p = postings.get(t);
      if (!p) postings.set(t, (p = { doc: [], tf: [] }));
      p.doc.push(i);
      p.tf.push(f);
    }
    lens.push(len);
  });
  const n = docs.length;
  const avg = lens.reduce((a, x) => a + x, 0) / Math.max(1, n) || 1;
  const norm = lens.map((l) => k1 * (1 - b + (b * l) / avg));
  const idf = (t: string) => {
    const d = postings.get(t)?.doc.length ?? 0;
    return d === 0 ? 0 : Math.log(1 + (n - d + 0.5) / (d + 0.5));
  };
  const idfCache = new Map<string, number>();
  const idfOf = (t: string) => {
    let v = idfCache.get(t);
    if (v === undefined) idfCache.set(t, (v = idf(t)));
    return v;
  };
  return {
    size: n,
    idf: idfOf,
    has(t, doc) {
      // postings are in document order: binary search
      const d = postings.get(t)?.doc;
      if (!d) return false;
      let lo = 0;
      let hi = d.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (d[mid] === doc) return true;
        if (d[mid]! < doc) lo = mid + 1;
        else hi = mid - 1;
      }
      return false;
    },
    score(q) {
      const uniq = new Map<string, number>();
      for (const t of q) uniq.set(t, (uniq.get(t) ?? 0) + 1);
      const out = new Array<number>(n).fill(0);
      for (const [t, qtf] of uniq) {
        const w = idfOf(t);
        const p = postings.get(t);
        if (w === 0 || !p) continue;
        const qw = 1 + Math.log(qtf);
        for (let j = 0; j < p.doc.length; j++) {
          const i = p.doc[j]!;
          const f = p.tf[j]!;
          out[i]! += qw * w * ((f * (k1 + 1)) / (f + norm[i]!));
        }
      }
      return out;
    },
    ideal(q) {
      const uniq = new Map<string, number>();
      for (const t of q) uniq.set(t, (uniq.get(t) ?? 0) + 1);
      let s = 0;
      // a token no document has counts at the rarest idf: the query asks about something we lack
      const unseen = Math.log(1 + (n + 0.5) / 0.5);
      for (const [t, qtf] of uniq) s += (1 + Math.log(qtf)) * (postings.has(t) ? idfOf(t) : unseen) * (k1 + 1);
      return s;
    },
  };
}
