import { LIMITS } from './config';
import { qrLikePng } from './qr-png';
import { NS, type SandboxStore } from './store';
import { chars } from './tags';
import { randomId, str, strList } from './util';
import { CONTACT, decCursor, fail, intIn, need, pageOf, type Ctx, type Handlers, type SandboxEnv } from './wx';

/**
 * 客户联系「联系我」 (protocol doc §10, doc 96348): contact ways a customer adds a member through,
 * by QR code (scene 2) or from a mini-program (scene 1). The `state` comes back in the
 * add_external_contact callback (control route `contact-way-add`) and in follow_user.state.
 *
 * Error codes: the protocol doc names none for these APIs beyond the 30-character `state`, so
 * every refused input answers the generic 40058 the sandbox uses elsewhere, an unknown
 * config_id included.
 */
export interface ContactWay {
  config_id: string;
  type: 1 | 2;
  scene: 1 | 2;
  style?: number;
  remark: string;
  skip_verify: boolean;
  state: string;
  user: string[];
  party: number[];
  /** Scene 2 only: where the sandbox serves this code's picture. */
  qr_code?: string;
  create_time: number;
}

/** Where the code's picture lives, on the sandbox host the product called. */
export const qrPath = (merchantId: string, configId: string) => `/sandbox/qr/${encodeURIComponent(merchantId)}/${configId}.png`;

export function contactWayHandlers(env: SandboxEnv): Handlers {
  const { store } = env;
  return {
    'externalcontact/add_contact_way': {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const type = ctx.body.type;
        const scene = ctx.body.scene;
        if (type !== 1 && type !== 2) fail('invalidParam', 'type must be 1 (single) or 2 (multi)');
        if (scene !== 1 && scene !== 2) fail('invalidParam', 'scene must be 1 (mini-program) or 2 (QR code)');
        const configId = randomId(32).toLowerCase();
        const host = ctx.req.headers.host ?? '127.0.0.1';
        const way: ContactWay = {
          config_id: configId,
          type,
          scene,
          ...fields(ctx, { type, remark: '', skip_verify: true, state: '', user: [], party: [] }),
          ...(scene === 2 ? { qr_code: `http://${host}${qrPath(ctx.merchant.id, configId)}` } : {}),
          create_time: Math.floor(ctx.now / 1000),
        };
        await store.create<ContactWay>(ctx.merchant.id, NS.contactWay, configId, way);
        ctx.rec.text = describeWay(way);
        return { config_id: configId, ...(way.qr_code ? { qr_code: way.qr_code } : {}) };
      },
    },

    'externalcontact/get_contact_way': {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const way = await wayOf(store, ctx);
        return { contact_way: way };
      },
    },

    'externalcontact/list_contact_way': {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        // WeCom's own page size (limit ≤ 1000, default 100); the doc is silent on a time-span cap, so none
        const limit = intIn(ctx.body.limit, 1, 1000, 100, 'limit');
        const start = ctx.body.start_time === undefined ? 0 : intIn(ctx.body.start_time, 0, Number.MAX_SAFE_INTEGER, 0, 'start_time');
        const end = ctx.body.end_time === undefined ? Number.MAX_SAFE_INTEGER : intIn(ctx.body.end_time, 0, Number.MAX_SAFE_INTEGER, 0, 'end_time');
        if (start > end) fail('invalidParam', 'start_time is after end_time');
        const ways = (await store.list<ContactWay>(ctx.merchant.id, NS.contactWay))
          .map((e) => e.value)
          .filter((w) => w.create_time >= start && w.create_time <= end)
          .sort((a, b) => a.create_time - b.create_time || a.config_id.localeCompare(b.config_id));
        return pageOf(
          'contact_way',
          ways.map((w) => ({ config_id: w.config_id })),
          decCursor(ctx.body.cursor),
          limit,
        );
      },
    },

    'externalcontact/update_contact_way': {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const cur = await wayOf(store, ctx);
        const next = { ...cur, ...fields(ctx, cur) };
        await store.put<ContactWay>(ctx.merchant.id, NS.contactWay, cur.config_id, next);
        ctx.rec.text = describeWay(next);
        return {};
      },
    },

    'externalcontact/del_contact_way': {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const cur = await wayOf(store, ctx);
        await store.delete(ctx.merchant.id, NS.contactWay, cur.config_id);
        ctx.rec.text = describeWay(cur);
        return {};
      },
    },
  };
}

async function wayOf(store: SandboxStore, ctx: Ctx): Promise<ContactWay> {
  const id = need(ctx.body, 'config_id');
  const way = await store.get<ContactWay>(ctx.merchant.id, NS.contactWay, id);
  if (!way) fail('invalidParam', `no contact way ${id}`);
  return way;
}

/** The fields add and update share, each checked when present, else kept from `base`. */
function fields(ctx: Ctx, base: Pick<ContactWay, 'type' | 'remark' | 'skip_verify' | 'state' | 'user' | 'party' | 'style'>) {
  const b = ctx.body;
  if (b.state !== undefined && typeof b.state !== 'string') fail('invalidParam', 'state must be a string');
  const state = b.state === undefined ? base.state : str(b.state);
  if (ctx.rules.thirtyChars && chars(state) > LIMITS.nameChars) fail('invalidParam', `state is at most ${LIMITS.nameChars} characters`);
  const user = b.user === undefined ? base.user : (strList(b.user) ?? fail('invalidParam', 'user must be a list of userids'));
  const party =
    b.party === undefined
      ? base.party
      : Array.isArray(b.party) && b.party.every((p) => Number.isInteger(p))
        ? (b.party as number[])
        : fail('invalidParam', 'party must be a list of department ids');
  if (!user.length && !party.length) fail('invalidParam', 'user and party cannot both be empty');
  if (base.type === 1 && (user.length !== 1 || party.length)) fail('invalidParam', 'type 1 (single) takes exactly one user');
  if (b.skip_verify !== undefined && typeof b.skip_verify !== 'boolean') fail('invalidParam', 'skip_verify must be a boolean');
  if (b.remark !== undefined && typeof b.remark !== 'string') fail('invalidParam', 'remark must be a string');
  const style = b.style === undefined ? base.style : intIn(b.style, 1, 99, 1, 'style');
  return {
    remark: b.remark === undefined ? base.remark : str(b.remark),
    skip_verify: b.skip_verify === undefined ? base.skip_verify : (b.skip_verify as boolean),
    state,
    user,
    party,
    ...(style !== undefined ? { style } : {}),
  };
}

/** One line for the sent list. */
const describeWay = (w: ContactWay) => `config_id ${w.config_id} type ${w.type} scene ${w.scene} state ${w.state || '-'} user ${w.user.join(',') || '-'}`;

/** The picture behind a scene-2 code's qr_code URL; null when the merchant has no such code. */
export async function contactWayQr(store: SandboxStore, merchantId: string, configId: string): Promise<Buffer | null> {
  const way = await store.get<ContactWay>(merchantId, NS.contactWay, configId);
  if (!way?.qr_code) return null;
  return qrLikePng(`${merchantId}:${configId}`);
}
