/**
 * A small typed ARI REST client: one keep-alive HTTP pool, Basic auth in a header, a deadline on every request.
 *
 * Why our own and not `ari-client`: `ari-client` downloads the whole API description through `swagger-client`
 * before it can send anything (a failed download rejects its connect, and a malformed one throws inside the
 * swagger loader), puts the password in the websocket URL (`api_key=` ends up in access logs), uses the unmaintained
 * `request` library without a bounded pool, and has no request deadline. We use a dozen ARI operations; typing them
 * here is shorter than containing all of that. See README `asterisk`.
 *
 * On Asterisk 20.14+, 21.9+ and 22.4+ requests can also travel over the event websocket (`RESTRequest` out,
 * `RESTResponse` back; `rest-api/api-docs/events.json`). `useSocket()` switches the caller's hot path to it once
 * Asterisk has answered one there: no HTTP parsing and no connection thread per request on either side.
 */
import { channel } from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';

/** An ARI answer as a value: transport failures and timeouts are `status: 0`, never thrown. */
export interface AriResponse<T = unknown> {
  /** HTTP status, or 0 when no answer arrived (refused, reset, timed out). */
  status: number;
  body: T | undefined;
  /** Why it failed, for logs (never includes credentials). */
  error?: string;
}

export type QueryValue = string | number | boolean | undefined;

/** A websocket that can carry REST requests: the outbound event socket or the one Asterisk opened to us. */
export interface RequestSocket {
  /** Sends one text frame; false when the socket is not open. */
  send(frame: string): boolean;
}

/** What `requestSent` announces. */
export interface RequestSentMessage {
  method: Method;
  /** Relative to `/ari`, segments encoded. */
  path: string;
  via: 'websocket' | 'http';
}

/**
 * Announces each request once it is written to its socket (`RequestSentMessage`), for benchmarks and tracing.
 * Costs nothing while nobody subscribes.
 */
export const requestSent = channel('touchtone:ari:request-sent');

/** ARI's `RESTResponse` message, as it arrives among the events. */
export interface RestResponseFrame {
  type?: string;
  request_id?: unknown;
  status_code?: unknown;
  message_body?: unknown;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * The operations that may travel on the websocket: the ones a caller waits for while using a menu (a prompt, its
 * barge-in, music on hold, ringing), each of which Asterisk completes without the channel's own thread
 * (`stasis_app_send_command_async`, playback control). Asterisk reads one websocket's requests on a single
 * thread, one after the other, so a request that waits would hold every call's requests behind it: setting a
 * channel variable while a prompt plays waits until the prompt ends (measured on Asterisk 22.10.1: 5 s and more,
 * and a ping sent after it on the same socket got no answer either). Everything else uses HTTP, including the
 * once-per-call steps (answer, continue, dial, hang up), whose outcome a socket drop must never leave unknown.
 * `repeatable`: sent again over HTTP when the socket closes or falls silent before the answer.
 */
const SOCKET_SAFE: ReadonlyArray<{ method: Method; path: RegExp; repeatable: boolean }> = [
  { method: 'POST', path: /^\/channels\/[^/]+\/play\/[^/]+$/, repeatable: false },
  { method: 'DELETE', path: /^\/playbacks\/[^/]+$/, repeatable: true },
  { method: 'POST', path: /^\/channels\/[^/]+\/(?:ring|moh)$/, repeatable: true },
  { method: 'DELETE', path: /^\/channels\/[^/]+\/(?:ring|moh)$/, repeatable: true },
  { method: 'GET', path: /^\/asterisk\/ping$/, repeatable: true },
];

const socketRule = (method: Method, path: string): (typeof SOCKET_SAFE)[number] | undefined => SOCKET_SAFE.find((rule) => rule.method === method && rule.path.test(path));

/** True when `method path` may travel on the websocket (see `SOCKET_SAFE`). */
export const socketSafe = (method: Method, path: string): boolean => socketRule(method, path) !== undefined;

export interface RestClientOptions {
  /** Base URL of Asterisk's HTTP server, with or without the `/ari` suffix. */
  url: string;
  username: string;
  password: string;
  /** Deadline for each request. */
  timeoutMs?: number;
  /** Bound of the keep-alive pool. Asterisk's HTTP server allows 100 sessions and a listen backlog of 10. */
  maxSockets?: number;
  /** Called when requests fall back from the websocket to HTTP because one got no answer there. */
  onSocketSilent?: (reason: string) => void;
}

/** The base path under which ARI lives, normalised (`http://host:8088/ari`). */
export function ariBaseUrl(url: string): URL {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = path.endsWith('/ari') ? path : `${path}/ari`;
  parsed.search = '';
  parsed.hash = '';
  return parsed;
}

/** Encodes one path segment; ids that contain `/` or `?` cannot change the operation. */
export const seg = (value: string): string => encodeURIComponent(value);

/**
 * Sends ARI requests. One instance per adapter; `close()` frees the pool.
 *
 * @example
 *   const rest = new AriRestClient({ url: 'http://127.0.0.1:8088', username: 'touchtone', password: 's3cret' });
 *   const res = await rest.request('POST', `/channels/${seg(id)}/answer`);
 */
export class AriRestClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly auth: string;
  private readonly timeoutMs: number;
  private readonly onSocketSilent: ((reason: string) => void) | undefined;
  private readonly transport: typeof http | typeof https;
  private readonly inFlight = new Set<Promise<unknown>>();
  private socket: RequestSocket | undefined;
  /** Requests sent over the socket, by `request_id`, waiting for their `RESTResponse`. */
  private readonly answers = new Map<string, { settle: (res: AriResponse) => void; lost: (why: string) => void }>();
  private requestSeq = 0;

  constructor(options: RestClientOptions) {
    this.base = ariBaseUrl(options.url);
    this.transport = this.base.protocol === 'https:' ? https : http;
    const AgentClass = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: options.maxSockets ?? 16, maxFreeSockets: options.maxSockets ?? 16 });
    this.auth = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.onSocketSilent = options.onSocketSilent;
  }

  /** The `Authorization` header value, for the event websocket. */
  get authorization(): string {
    return this.auth;
  }

  /** Base URL (no credentials) for logs and the websocket. */
  get baseUrl(): URL {
    return new URL(this.base.href);
  }

  /**
   * Sends one request. `path` is relative to `/ari` and must already have its segments encoded with `seg()`.
   * Query values go through URLSearchParams, so no value can add a parameter.
   */
  request<T = unknown>(
    method: Method,
    path: string,
    query?: Readonly<Record<string, QueryValue>>,
    body?: unknown,
    timeoutMs: number = this.timeoutMs,
  ): Promise<AriResponse<T>> {
    const socket = this.socket && socketSafe(method, path) ? this.socket : undefined;
    const pending = socket ? this.overSocket<T>(socket, method, path, query, body, timeoutMs) : this.overHttp<T>(method, path, query, body, timeoutMs);
    this.inFlight.add(pending);
    void pending.then(() => this.inFlight.delete(pending));
    return pending;
  }

  /**
   * Sends later requests that may go there (`socketSafe`) over `socket`, or all over HTTP again when undefined.
   * Requests still waiting for an answer on the previous socket are sent again over HTTP when that is harmless
   * (a stop, music on hold), and otherwise (a play) end with status 0: whether Asterisk acted on them is unknown.
   */
  useSocket(socket: RequestSocket | undefined): void {
    if (socket === this.socket) return;
    this.socket = socket;
    const waiting = [...this.answers.values()];
    this.answers.clear();
    for (const { lost } of waiting) lost('the websocket closed before Asterisk answered');
  }

  /**
   * Asks Asterisk over `socket` whether it takes REST requests there (`GET /asterisk/ping`); when it answers, later
   * requests use the socket. An Asterisk older than 20.14, 21.9 or 22.4 ignores the frame, so the answer is false
   * once `timeoutMs` has passed.
   */
  async trySocket(socket: RequestSocket, timeoutMs: number): Promise<boolean> {
    const res = await this.overSocket(socket, 'GET', '/asterisk/ping', undefined, undefined, timeoutMs, false);
    if (!ok(res)) return false;
    this.useSocket(socket);
    return true;
  }

  /** True while requests travel over the websocket. */
  get overWebsocket(): boolean {
    return this.socket !== undefined;
  }

  /** Takes a `RESTResponse` from the event stream. Answers to nobody's request (late, or a previous process's) are dropped. */
  answer(frame: RestResponseFrame): void {
    const id = typeof frame.request_id === 'string' ? frame.request_id : '';
    const settle = this.answers.get(id)?.settle;
    if (!settle) return;
    this.answers.delete(id);
    const status = typeof frame.status_code === 'number' ? frame.status_code : 0;
    settle({ status, body: typeof frame.message_body === 'string' ? parseJson(frame.message_body) : undefined, ...(status === 0 ? { error: 'Asterisk sent an answer without a status' } : {}) });
  }

  /**
   * One `RESTRequest`. Asterisk reads the websocket on one thread and answers in order; the answer comes back
   * through the adapter's event dispatch, so it passes the app's event filter (which must allow `RESTResponse`).
   */
  private overSocket<T>(socket: RequestSocket, method: Method, path: string, query: Readonly<Record<string, QueryValue>> | undefined, body: unknown, timeoutMs: number, orHttp = true): Promise<AriResponse<T>> {
    const requestId = `r${(++this.requestSeq).toString(36)}`;
    const queryStrings = Object.entries(query ?? {}).flatMap(([name, value]) => (value === undefined ? [] : [{ name, value: String(value) }]));
    const frame = JSON.stringify({
      type: 'RESTRequest',
      transaction_id: requestId,
      request_id: requestId,
      method,
      // Asterisk resolves the uri from the first segment below /ari; a leading slash would match nothing.
      uri: path.replace(/^\/+/, ''),
      ...(queryStrings.length ? { query_strings: queryStrings } : {}),
      ...(body === undefined ? {} : { content_type: 'application/json', message_body: JSON.stringify(body) }),
    });
    const repeatable = orHttp && socketRule(method, path)?.repeatable === true;
    return new Promise<AriResponse<T>>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (res: AriResponse): void => {
        clearTimeout(timer);
        this.answers.delete(requestId);
        resolve(res as AriResponse<T>);
      };
      const entry = {
        settle,
        lost: (why: string): void => {
          // Once lost, the socket's deadline is over: an HTTP retry slower than it must not be sent twice.
          clearTimeout(timer);
          this.answers.delete(requestId);
          if (repeatable) void this.overHttp<T>(method, path, query, body, timeoutMs).then(settle);
          else settle({ status: 0, body: undefined, error: why });
        },
      };
      timer = setTimeout(() => {
        // A socket that stopped answering requests (while it may still carry events) must not hold every call:
        // later requests go over HTTP until the next connect tries the socket again.
        if (this.socket === socket) {
          this.socket = undefined;
          this.onSocketSilent?.(`no answer to ${method} ${path} on the websocket within ${timeoutMs} ms`);
        }
        this.answers.delete(requestId);
        entry.lost(`no answer on the websocket within ${timeoutMs} ms`);
      }, timeoutMs);
      this.answers.set(requestId, entry);
      if (socket.send(frame)) {
        if (requestSent.hasSubscribers) requestSent.publish({ method, path, via: 'websocket' } satisfies RequestSentMessage);
      } else {
        // The socket closed under us, before anything was sent: HTTP still reaches Asterisk.
        clearTimeout(timer);
        this.answers.delete(requestId);
        resolve(orHttp ? this.overHttp<T>(method, path, query, body, timeoutMs) : { status: 0, body: undefined, error: 'the websocket is closed' });
      }
    });
  }

  private overHttp<T>(method: Method, path: string, query: Readonly<Record<string, QueryValue>> | undefined, body: unknown, timeoutMs: number): Promise<AriResponse<T>> {
    const target = new URL(this.base.href);
    target.pathname = `${this.base.pathname}${path}`;
    if (query) {
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined) target.searchParams.append(key, String(value));
      }
    }
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<AriResponse<T>>((resolve) => {
      let done = false;
      const finish = (res: AriResponse<T>): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(res);
      };
      const req = this.transport.request(
        target,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: this.auth,
            accept: 'application/json',
            ...(payload === undefined
              ? { 'content-length': 0 }
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (err) => finish({ status: 0, body: undefined, error: err.message }));
          res.on('end', () => finish({ status: res.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString('utf8')) as T | undefined }));
        },
      );
      // A server that accepts TCP but never answers must not hold the caller forever.
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      req.on('error', (err) => finish({ status: 0, body: undefined, error: err.message }));
      if (requestSent.hasSubscribers) req.once('finish', () => requestSent.publish({ method, path, via: 'http' } satisfies RequestSentMessage));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Waits (at most `timeoutMs`) for requests already sent, so a hang-up or answer sent just before stop lands. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Closes pooled sockets. */
  close(): void {
    this.agent.destroy();
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True for a 2xx status. */
export const ok = (res: AriResponse): boolean => res.status >= 200 && res.status < 300;
