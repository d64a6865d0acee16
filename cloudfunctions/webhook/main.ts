import { errorEnvelope } from '@xiaoer/shared/api/dispatch';
import { handleWebhook } from '.';

/** CloudBase entry of `webhook`: refuses everything until the order webhook is specified. */
export async function main() {
  try {
    handleWebhook();
  } catch (err) {
    const { status, body } = errorEnvelope(err, (e) => console.error('webhook failed', e));
    return { statusCode: status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
  }
}
