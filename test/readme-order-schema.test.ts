import fs from 'node:fs';
import path from 'node:path';
import { orderEventJsonSchema } from '@xiaoer/shared/domain/order-event';

/**
 * The README's order webhook schema is the one the code validates with: generated from the zod
 * schema (`npm run cli -- webhook schema` prints it). Change one, regenerate the other.
 */
it("the README's order event JSON schema equals the one generated from the zod schema", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const block = /<!-- order-event-schema -->\s*```json\n([\s\S]*?)\n```/.exec(readme);
  expect(block ? 'found' : 'README has no `<!-- order-event-schema -->` json block').toBe('found');
  expect(JSON.parse(block![1])).toEqual(orderEventJsonSchema());
});
