import type { WecomContext } from './context';
import { onAddExternalContact, onCustomerLost, onEditExternalContact, onExternalTagChange, onTransferFail } from './contact-events';
import { on, routeKey, type RouteTable } from './events';
import { onKfMsgOrEvent } from './kf-sync';

/**
 * MsgType × Event × ChangeType → handler. A combination not listed here is recorded as
 * `ignored` (change_external_chat, msg_audit_approved, app messages, …): add a row to handle it.
 */
export const WECOM_ROUTES: RouteTable<WecomContext> = {
  [routeKey('event', 'kf_msg_or_event', '')]: on('kf_msg_or_event', onKfMsgOrEvent),
  [routeKey('event', 'change_external_contact', 'add_external_contact')]: on('external_contact', (ctx, m, ev) => onAddExternalContact(ctx, m, ev)),
  [routeKey('event', 'change_external_contact', 'add_half_external_contact')]: on('external_contact', (ctx, m, ev) => onAddExternalContact(ctx, m, ev)),
  [routeKey('event', 'change_external_contact', 'edit_external_contact')]: on('external_contact', (ctx, m, ev) => onEditExternalContact(ctx, m, ev)),
  [routeKey('event', 'change_external_contact', 'del_external_contact')]: on('external_contact', (ctx, m, ev) => onCustomerLost(ctx, m, ev)),
  [routeKey('event', 'change_external_contact', 'del_follow_user')]: on('external_contact', (ctx, m, ev) => onCustomerLost(ctx, m, ev)),
  [routeKey('event', 'change_external_contact', 'transfer_fail')]: on('external_contact', (ctx, m, ev) => onTransferFail(ctx, m, ev)),
  [routeKey('event', 'change_external_tag', '*')]: on('external_tag', (ctx, m, ev) => onExternalTagChange(ctx, m, ev)),
};
