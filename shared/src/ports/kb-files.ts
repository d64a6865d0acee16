import type { KbIssue, KbRow } from '../usecases/kb/import';

/** Reads a knowledge-base file sent from the app (json/csv text, xlsx base64) into numbered rows. */
export type KbFileParser = (
  format: 'json' | 'csv' | 'xlsx',
  content: string,
) => Promise<{ rows: KbRow[]; facts?: unknown; errors: KbIssue[]; warnings: KbIssue[] }>;
