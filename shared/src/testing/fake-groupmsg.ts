import { WecomApiError } from '../ports/wecom';
import { FakeWecomApi } from './fake-wecom-api';

interface Task {
  msgid: string;
  sender: string;
  ids: string[];
  text: string;
  createdAt: number;
  /** 0 unsent, 2 sent (doc 96355). */
  status: 0 | 2;
  cancelled: boolean;
  results: Map<string, number>;
}

/**
 * The fake WeCom with mass sends modelled (a fake, not a mock): add_msg_template makes a task,
 * `confirm` plays the member confirming it (each customer's result chosen by the test), the
 * tracking calls page through real lists (`pageSize`), cancel stops unconfirmed tasks and remind
 * counts. Its clock is the test's.
 */
export class FakeGroupMsgWecom extends FakeWecomApi {
  readonly tasks = new Map<string, Task>();
  readonly reminds: string[] = [];
  resultPageSize = 2;
  private n = 0;
  constructor(private clockNow: () => number) {
    super();
  }

  override addMsgTemplate(merchantId: string, req: { external_userid?: string[]; sender?: string; text?: { content: string } }) {
    return this.call('externalcontact/add_msg_template', merchantId, req, () => {
      if ((req.external_userid?.length ?? 0) > 10_000) throw new WecomApiError('externalcontact/add_msg_template', 40058, 'external_userid exceeds 10000');
      const msgid = `gm${++this.n}`;
      this.tasks.set(msgid, {
        msgid,
        sender: req.sender ?? '',
        ids: req.external_userid ?? [],
        text: req.text?.content ?? '',
        createdAt: this.clockNow(),
        status: 0,
        cancelled: false,
        results: new Map(),
      });
      return { fail_list: [], msgid };
    });
  }

  /** The member confirms: every customer gets `result(id)` (1 sent, 2 not a friend, 3 quota used up). */
  confirm(msgid: string, result: (externalUserId: string) => number = () => 1) {
    const t = this.tasks.get(msgid)!;
    if (t.cancelled) throw new Error('cancelled task');
    t.status = 2;
    for (const id of t.ids) t.results.set(id, result(id));
  }

  override getGroupmsgTask(merchantId: string, req: { msgid: string; cursor?: string }) {
    return this.call('externalcontact/get_groupmsg_task', merchantId, req, () => {
      const t = this.tasks.get(req.msgid);
      if (!t) throw new WecomApiError('externalcontact/get_groupmsg_task', 40058, 'unknown msgid');
      return { task_list: [{ userid: t.sender, status: t.status, ...(t.status === 2 ? { send_time: Math.floor(this.clockNow() / 1000) } : {}) }], next_cursor: '' };
    });
  }

  override getGroupmsgSendResult(merchantId: string, req: { msgid: string; userid: string; cursor?: string }) {
    return this.call('externalcontact/get_groupmsg_send_result', merchantId, req, () => {
      const t = this.tasks.get(req.msgid)!;
      const from = Number(req.cursor || 0);
      const rows = t.ids
        .slice(from, from + this.resultPageSize)
        .map((id) => ({ external_userid: id, userid: t.sender, status: t.results.get(id) ?? 0, send_time: Math.floor(this.clockNow() / 1000) }));
      return { send_list: rows, next_cursor: from + this.resultPageSize < t.ids.length ? String(from + this.resultPageSize) : '' };
    });
  }

  override getGroupmsgListV2(merchantId: string, req: { start_time: number; end_time: number; creator?: string }) {
    return this.call('externalcontact/get_groupmsg_list_v2', merchantId, req, () => ({
      group_msg_list: [...this.tasks.values()]
        .filter((t) => (!req.creator || t.sender === req.creator) && t.createdAt / 1000 >= req.start_time && t.createdAt / 1000 <= req.end_time)
        .map((t) => ({ msgid: t.msgid, creator: t.sender, create_time: Math.floor(t.createdAt / 1000), create_type: 0, text: { content: t.text } })),
      next_cursor: '',
    }));
  }

  override remindGroupmsgSend(merchantId: string, req: { msgid: string }) {
    return this.call('externalcontact/remind_groupmsg_send', merchantId, req, () => {
      this.reminds.push(req.msgid);
      return {} as Record<string, never>;
    });
  }

  override cancelGroupmsgSend(merchantId: string, req: { msgid: string }) {
    return this.call('externalcontact/cancel_groupmsg_send', merchantId, req, () => {
      const t = this.tasks.get(req.msgid)!;
      if (t.status !== 2) t.cancelled = true;
      return {} as Record<string, never>;
    });
  }
}
