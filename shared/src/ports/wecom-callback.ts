/** A decrypted callback as parsed from its XML: the `<xml>` root's children. */
export type RawCallback = Record<string, unknown>;
