/** One answer of a backend function: the raw JSON envelope and the HTTP status (200 on weapp). */
export interface RawAnswer {
  status: number;
  body: unknown;
}
