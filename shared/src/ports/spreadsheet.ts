/**
 * A workbook described as plain data, so use cases can say what goes in a spreadsheet without
 * the xlsx library (which needs Node): the server's adapter (cloudfunctions/server/reports/xlsx.ts)
 * writes it with exceljs.
 */
export type Cell = string | number | null;

export interface SheetColumn {
  header: string;
  /** yuan: a number of 元 with two decimals; percent: a ratio 0–1 shown as 95%; text/count as they are. */
  format?: 'text' | 'count' | 'yuan' | 'percent';
  width?: number;
}

export interface SheetSpec {
  /** The tab's name (≤ 31 characters, no []:*?/\). */
  name: string;
  columns: SheetColumn[];
  /** One array per row, in the columns' order; null leaves the cell empty. */
  rows: Cell[][];
}

export interface WorkbookSpec {
  sheets: SheetSpec[];
}

/** Writes a workbook as .xlsx and returns its bytes in base64 (server side only). */
export type XlsxWriter = (book: WorkbookSpec) => Promise<string>;
