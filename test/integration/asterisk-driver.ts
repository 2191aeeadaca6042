/**
 * Drives a real Asterisk for the integration suite: places calls with ARI `originate` on `Local/…` channels
 * into the shipped dialplan, and plays the caller from the other leg (DTMF, hangup).
 *
 * The caller leg (`;1`, named by `channelId`) sits in the driver's own Stasis app, and gets there only after the
 * IVR answers; before that `POST /channels/{id}/dtmf` answers 409. The IVR leg (`;2`, named by `otherChannelId`)
 * runs the dialplan and enters `Stasis(touchtone…)`.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { AriRestClient, seg, ok } from '../../src/telephony/ari/rest-client.js';

export interface AsteriskTarget {
  url: string;
  username: string;
  password: string;
}

/** The suite runs only when these are set. */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): AsteriskTarget | undefined {
  const url = env.TOUCHTONE_TEST_ARI_URL;
  if (!url) return undefined;
  return { url, username: env.TOUCHTONE_TEST_ARI_USER ?? 'touchtone', password: env.TOUCHTONE_TEST_ARI_PASSWORD ?? '' };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class AsteriskDriver {
  readonly rest: AriRestClient;
  readonly app = 'touchtone-test-driver';
  private ws: WebSocket | undefined;

  constructor(private readonly target: AsteriskTarget) {
    this.rest = new AriRestClient({ ...target, timeoutMs: 3000 });
  }

  /** Registers the driver's own Stasis app (originate with `app=` needs it). */
  async open(): Promise<void> {
    const url = this.rest.baseUrl;
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.pathname = `${url.pathname}/events`;
    url.searchParams.set('app', this.app);
    const ws = new WebSocket(url, { headers: { authorization: this.rest.authorization } });
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`driver websocket refused: HTTP ${res.statusCode}`)));
    });
    this.ws = ws;
  }

  close(): void {
    this.ws?.terminate();
    this.rest.close();
  }

  /** Calls `exten@context` from a Local channel. Returns both legs' ids. */
  async call(exten: string, context = 'touchtone-test', callerId?: string): Promise<{ callerLeg: string; ivrLeg: string }> {
    const tag = randomUUID().slice(0, 8);
    const callerLeg = `drv-${tag}`;
    const ivrLeg = `ivr-${tag}`;
    const res = await this.rest.request('POST', '/channels', {
      endpoint: `Local/${exten}@${context}`,
      app: this.app,
      channelId: callerLeg,
      otherChannelId: ivrLeg,
      timeout: 10,
      // As a SIP or PSTN caller would: G.711. Without it a Local channel offers every format and settles on
      // slin192, and Asterisk then resamples each 8 kHz prompt to 192 kHz (90% of its CPU under load).
      formats: 'ulaw',
      ...(callerId ? { callerId } : {}),
    });
    if (!ok(res)) throw new Error(`originate answered ${res.status} ${res.error ?? JSON.stringify(res.body)}`);
    return { callerLeg, ivrLeg };
  }

  /** Presses keys on the caller leg; retries while the leg is not yet in Stasis (409), within a bound. */
  async press(callerLeg: string, digits: string, boundMs = 5000): Promise<void> {
    const deadline = Date.now() + boundMs;
    for (;;) {
      const res = await this.rest.request('POST', `/channels/${seg(callerLeg)}/dtmf`, { dtmf: digits, between: 100, duration: 100 });
      if (ok(res)) return;
      if (res.status !== 409 || Date.now() > deadline) throw new Error(`dtmf answered ${res.status}`);
      await sleep(50);
    }
  }

  async hangup(channelId: string): Promise<void> {
    await this.rest.request('DELETE', `/channels/${seg(channelId)}`);
  }

  async channel(channelId: string): Promise<{ state?: string; dialplan?: { context?: string; exten?: string; app_name?: string; app_data?: string } } | undefined> {
    const res = await this.rest.request<{ state?: string; dialplan?: { context?: string; exten?: string; app_name?: string } }>('GET', `/channels/${seg(channelId)}`);
    return ok(res) ? res.body : undefined;
  }

  async variable(channelId: string, name: string): Promise<string | undefined> {
    const res = await this.rest.request<{ value?: string }>('GET', `/channels/${seg(channelId)}/variable`, { variable: name });
    return ok(res) ? res.body?.value : undefined;
  }

  /** Polls (bounded) until `check` holds. Real Asterisk: there is no virtual clock to move. */
  async until<T>(check: () => Promise<T | undefined | false>, what: string, boundMs = 8000): Promise<T> {
    const deadline = Date.now() + boundMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }
}
