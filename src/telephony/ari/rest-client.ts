/**
 * A small typed ARI REST client: one keep-alive HTTP pool, Basic auth in a header, a deadline on every request.
 *
 * Why our own and not `ari-client`: `ari-client` downloads the whole API description through `swagger-client`
 * before it can send anything (a failed download rejects its connect, and a malformed one throws inside the
 * swagger loader), puts the password in the websocket URL (`api_key=` ends up in access logs), uses the unmaintained
 * `request` library without a bounded pool, and has no request deadline. We use a dozen ARI operations; typing them
 * here is shorter than containing all of that. See README `asterisk`.
 */
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

export interface RestClientOptions {
  /** Base URL of Asterisk's HTTP server, with or without the `/ari` suffix. */
  url: string;
  username: string;
  password: string;
  /** Deadline for each request. */
  timeoutMs?: number;
  /** Bound of the keep-alive pool. Asterisk's HTTP server allows 100 sessions and a listen backlog of 10. */
  maxSockets?: number;
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
  private readonly transport: typeof http | typeof https;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: RestClientOptions) {
    this.base = ariBaseUrl(options.url);
    this.transport = this.base.protocol === 'https:' ? https : http;
    const AgentClass = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: options.maxSockets ?? 16, maxFreeSockets: options.maxSockets ?? 16 });
    this.auth = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? 5000;
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
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    query?: Readonly<Record<string, QueryValue>>,
    body?: unknown,
    timeoutMs: number = this.timeoutMs,
  ): Promise<AriResponse<T>> {
    const target = new URL(this.base.href);
    target.pathname = `${this.base.pathname}${path}`;
    if (query) {
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined) target.searchParams.append(key, String(value));
      }
    }
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const pending = new Promise<AriResponse<T>>((resolve) => {
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
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            if (text.length > 0) {
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = undefined;
              }
            }
            finish({ status: res.statusCode ?? 0, body: parsed as T | undefined });
          });
        },
      );
      // A server that accepts TCP but never answers must not hold the caller forever.
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      req.on('error', (err) => finish({ status: 0, body: undefined, error: err.message }));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
    this.inFlight.add(pending);
    void pending.then(() => this.inFlight.delete(pending));
    return pending;
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

/** True for a 2xx status. */
export const ok = (res: AriResponse): boolean => res.status >= 200 && res.status < 300;
