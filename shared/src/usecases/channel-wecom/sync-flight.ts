/**
 * Single-flight for kf/sync_msg, per kf account, in this process. Every kf_msg_or_event callback
 * means only "there is something new on this account", so a hundred callbacks arriving together
 * need one sync, not a hundred (each one a WeCom API call under a per-minute cap).
 *
 * At most one pass runs per key; a caller arriving while one runs marks the account dirty by
 * joining the single trailing pass, which starts when the running one ends — so every caller gets
 * the result of a pass that began after it arrived (its message was in WeCom before its callback,
 * so that pass sees it), and any number of callers cost at most one more pass.
 *
 * The caller that starts a pass (or first asks for a trailing one) is its owner: its `onPage`
 * runs for the pass's pages (it remembers the customers before the cursor moves) and it alone is
 * told the customers to work through; the others only need to know the pass happened.
 *
 * Across processes nothing is coalesced here: the cursor's compare-and-set keeps concurrent syncs
 * from different processes correct, they just cost a call each.
 */

export interface FlightRequest<R> {
  token?: string;
  onPage?: (customers: string[]) => Promise<void>;
  run: (token: string | undefined, onPage: ((customers: string[]) => Promise<void>) | undefined) => Promise<R>;
}

export interface FlightAnswer<R> {
  result: R;
  /** True for the caller whose onPage the pass used and who works through its customers. */
  owner: boolean;
}

interface Trailing<R> {
  token?: string;
  result: Promise<R>;
}

interface Flight<R> {
  running: Promise<R>;
  trailing?: Trailing<R>;
}

// per storage instance (one per runtime; tests build many), then per key: module state, as the
// shared code has no process object to hang it on
const flights = new WeakMap<object, Map<string, Flight<unknown>>>();

const ignore = () => undefined;

export function syncOnce<R>(scope: object, key: string, req: FlightRequest<R>): Promise<FlightAnswer<R>> {
  let byKey = flights.get(scope) as Map<string, Flight<R>> | undefined;
  if (!byKey) {
    byKey = new Map();
    flights.set(scope, byKey as Map<string, Flight<unknown>>);
  }
  const keyed = byKey;
  const flight = keyed.get(key);

  if (!flight) {
    const f: Flight<R> = { running: req.run(req.token, req.onPage) };
    keyed.set(key, f);
    forget(keyed, key, f, f.running);
    return f.running.then((result) => ({ result, owner: true }));
  }

  if (flight.trailing) {
    // already dirty: the trailing pass has not started yet, so it covers this caller too; a newer
    // callback Token replaces the older one (either lets sync_msg run at its normal rate)
    if (req.token) flight.trailing.token = req.token;
    return flight.trailing.result.then((result) => ({ result, owner: false }));
  }

  const trailing: Trailing<R> = { token: req.token, result: undefined as unknown as Promise<R> };
  trailing.result = flight.running.then(ignore, ignore).then(() => {
    // from here on this pass is the running one; callers arriving now ask for the next
    flight.running = trailing.result;
    flight.trailing = undefined;
    return req.run(trailing.token, req.onPage);
  });
  flight.trailing = trailing;
  forget(keyed, key, flight, trailing.result);
  return trailing.result.then((result) => ({ result, owner: true }));
}

/** Drops the key once `pass` settles, unless another pass took over meanwhile. */
function forget<R>(byKey: Map<string, Flight<R>>, key: string, flight: Flight<R>, pass: Promise<R>) {
  const done = () => {
    if (byKey.get(key) === flight && flight.running === pass && !flight.trailing) byKey.delete(key);
  };
  pass.then(done, done);
}
