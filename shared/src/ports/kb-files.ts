/** One record read from a file. `line` is the file's line/row number (JSON: 1-based index in its array). */
export interface KbRow {
  line: number;
  /** Where the line number points, when it is not a plain line, e.g. `faqs 第 3 条`. */
  note?: string;
  faq?: unknown;
  product?: unknown;
}

/** A problem with one row (error: skipped; warning: imported anyway, or superseded). */
export interface KbIssue {
  line: number;
  field: string;
  message: string;
  note?: string;
}

/** Reads a knowledge-base file sent from the app (json/csv text, xlsx base64) into numbered rows. */
export type KbFileParser = (format: 'json' | 'csv' | 'xlsx', content: string) => Promise<{ rows: KbRow[]; facts?: unknown; errors: KbIssue[]; warnings: KbIssue[] }>;
