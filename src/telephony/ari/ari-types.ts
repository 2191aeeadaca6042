/**
 * The parts of ARI's JSON shapes that Touchtone reads (Asterisk `rest-api/api-docs/*.json`). Every field is
 * optional here on purpose: the values come from the network and are checked where they are used.
 */
export interface AriCallerId {
  name?: string;
  number?: string;
}

export interface AriDialplan {
  context?: string;
  exten?: string;
  priority?: number;
  app_name?: string;
  app_data?: string;
}

export interface AriChannel {
  id?: string;
  name?: string;
  state?: string;
  caller?: AriCallerId;
  dialplan?: AriDialplan;
  language?: string;
  creationtime?: string;
}

/** ARI's `Bridge`: `GET /bridges` lists them with the ids of the channels inside. */
export interface AriBridge {
  id?: string;
  name?: string;
  channels?: unknown[];
}

export interface AriPlayback {
  id?: string;
  target_uri?: string;
  state?: string;
}

export interface AriLiveRecording {
  name?: string;
  target_uri?: string;
  state?: string;
  duration?: number;
  cause?: string;
}

/** One websocket message (`Event` and its sub-types). */
export interface AriEvent {
  type?: string;
  application?: string;
  timestamp?: string;
  channel?: AriChannel;
  args?: unknown[];
  digit?: string;
  playback?: AriPlayback;
  recording?: AriLiveRecording;
  cause?: number;
  cause_txt?: string;
  peer?: AriChannel;
  caller?: AriChannel;
  dialstatus?: string;
  /** `ChannelUserevent`: the event's name and its variables. */
  eventname?: string;
  userevent?: Record<string, unknown>;
  /** `RESTResponse`: the answer to a request sent over the websocket. */
  request_id?: unknown;
  status_code?: unknown;
  message_body?: unknown;
}

/** The event types we subscribe to (`PUT /applications/{app}/eventFilter`); everything else stays off the wire. */
export const ALLOWED_EVENTS = [
  'StasisStart',
  'StasisEnd',
  'ChannelDtmfReceived',
  'ChannelHangupRequest',
  'ChannelDestroyed',
  'ChannelStateChange',
  'Dial',
  'PlaybackStarted',
  'PlaybackFinished',
  'RecordingFinished',
  'RecordingFailed',
  'ApplicationReplaced',
  // Our own liveness probe (see `AppProbe`).
  'ChannelUserevent',
  // Answers to REST requests sent over the websocket: Asterisk passes them through the same filter.
  'RESTResponse',
] as const;

/**
 * Reads one websocket frame as an ARI event. A malformed frame gives undefined: it is dropped, never thrown into
 * the event loop (both the outbound socket and the Asterisk-initiated one use this).
 */
export function parseAriFrame(data: { toString(): string }): AriEvent | undefined {
  try {
    const event: unknown = JSON.parse(data.toString());
    return event && typeof event === 'object' ? (event as AriEvent) : undefined;
  } catch {
    return undefined;
  }
}
