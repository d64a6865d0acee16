import { cloudRuntime } from '../server/runtime-cloud';
import { handleScheduler } from '.';

/** CloudBase entry of `scheduler`, fired by the timer trigger in config.json. */
export async function main() {
  return handleScheduler(await cloudRuntime());
}
