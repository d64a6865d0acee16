import { formatIn, pickTableFileWeapp, readTableFileH5, type TableFile, type TableFileSpec } from '../../services/tableFile';

export { TableFileError as ImportFileError, WEAPP_MAX_CHARS, H5_MAX_CHARS } from '../../services/tableFile';

export type ImportFormat = 'json' | 'csv' | 'xlsx';
export type PickedFile = TableFile<ImportFormat>;

export const IMPORT_EXTENSIONS: ImportFormat[] = ['json', 'csv', 'xlsx'];

const KB_FILE: TableFileSpec<ImportFormat> = {
  formats: IMPORT_EXTENSIONS,
  wrongType: (name) => `「${name}」不是 json、csv 或 xlsx 文件`,
  tooBigWeapp: (name) => `「${name}」太大了：小程序一次只能传 90 KB 左右。请把问答分成几个小文件分别导入，或在电脑上用 npm run cli -- kb import 导入`,
  tooBigH5: (name) => `「${name}」太大了（最多约 1.5 MB），请分成几个小文件`,
};

/** The format kb.import expects, from the file name; null for anything else. */
export const formatOf = (name: string): ImportFormat | null => formatIn(name, IMPORT_EXTENSIONS);

/** weapp: a knowledge-base file from a WeChat chat. Null when the owner cancels. */
export const pickFileWeapp = () => pickTableFileWeapp(KB_FILE);

/** H5: a knowledge-base file from <input type="file">. */
export const readFileH5 = (file: File) => readTableFileH5(file, KB_FILE);
