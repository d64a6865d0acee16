/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  fileName?: string;
  contentType: string;
  data: Buffer;
}

/** A small multipart/form-data reader (media/upload's `media` field); null when the body is not one. */
export function parseMultipart(contentType: string | undefined, body: Buffer): FormPart[] | null {
  const m = /multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!m) return null;
  const boundary = Buffer.from(`--${(m[1] ?? m[2]).trim()}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(boundary);
  if (pos < 0) return null;
  for (;;) {
    pos += boundary.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break; // closing boundary
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) return null;
    const head = body.subarray(pos, headEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), boundary]), headEnd + 4);
    if (next < 0) return null;
    const disposition = /content-disposition:([^\r\n]*)/i.exec(head)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
    const star = /filename\*=(?:UTF-8|utf-8)''([^;\r\n]+)/.exec(disposition)?.[1];
    const plain = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    let fileName = plain;
    if (star) {
      try {
        fileName = decodeURIComponent(star);
      } catch {
        /* keep the plain one */
      }
    }
    const type = /content-type:\s*([^\r\n]*)/i.exec(head)?.[1]?.trim() || 'application/octet-stream';
    parts.push({ name, fileName, contentType: type, data: body.subarray(headEnd + 4, next) });
    pos = next + 2;
  }
  return parts;
}
