import crypto from 'node:crypto';
import { INVITE_ALPHABET, type IdGen } from '@xiaoer/shared/ports/deps';

export const randomIds: IdGen = {
  id: (prefix) => `${prefix}_${crypto.randomBytes(9).toString('base64url')}`,
  inviteCode: () => {
    const bytes = crypto.randomBytes(8);
    return Array.from(bytes, (b) => INVITE_ALPHABET[b % INVITE_ALPHABET.length]).join('');
  },
};
