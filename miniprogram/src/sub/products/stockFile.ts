import { formatIn, pickTableFileWeapp, readTableFileH5, type TableFile, type TableFileSpec } from '../../services/tableFile';

export { TableFileError as StockFileError, WEAPP_MAX_CHARS, H5_MAX_CHARS } from '../../services/tableFile';

export type StockFile = TableFile<'csv' | 'xlsx'>;

const tooBig = (name: string, limit: string) => `「${name}」太大了（手机上最多约 ${limit}）。请分成几个小表格，或在电脑上用命令导入（npm run cli -- stock import）`;

const STOCK_FILE: TableFileSpec<StockFile['format']> = {
  formats: ['csv', 'xlsx'],
  wrongType: (name) => `「${name}」不是 Excel（xlsx）或 CSV 文件`,
  tooBigWeapp: (name) => tooBig(name, '90 KB'),
  tooBigH5: (name) => tooBig(name, '1.5 MB'),
};

/** The format stock.import expects, from the file name; null for anything else. */
export const stockFormatOf = (name: string): StockFile['format'] | null => formatIn(name, STOCK_FILE.formats);

/** weapp: a stock table from a WeChat chat. Null when cancelled. */
export const pickStockFileWeapp = () => pickTableFileWeapp(STOCK_FILE);

/** H5: a stock table from <input type="file">. */
export const readStockFileH5 = (file: File) => readTableFileH5(file, STOCK_FILE);
