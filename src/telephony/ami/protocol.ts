/**
 * The Asterisk Manager Interface line protocol, as pure functions: encoding an action and framing the byte stream
 * into messages. No sockets here, so every rule can be tested on strings.
 *
 * Wire format (Asterisk `main/manager.c`): the server greets with one line `Asterisk Call Manager/<version>`,
 * then every message is a block of `Key: Value` lines ended by `\r\n`, and a blank line ends the block.
 */

/** One AMI message. Keys are lower-cased (AMI keys are case-insensitive); the first copy of a repeated key wins. */
export type AmiMessage = Readonly<Record<string, string>>;

/** Longest header value we send. Asterisk itself caps a whole message line far below 10 KB. */
export const MAX_HEADER_VALUE = 1024;
/** Longest line or message block we accept from the server before we call the stream broken. */
export const MAX_INBOUND_BLOCK = 64 * 1024;

/** A header we refuse to send: the action is never written, so nothing can be smuggled into the stream. */
export class AmiHeaderError extends Error {
  readonly code = 'ami-bad-header';
  constructor(
    readonly header: string,
    why: string,
  ) {
    super(`AMI header \`${header}\` was not sent because ${why}; pass a value without line breaks, at most ${MAX_HEADER_VALUE} characters.`);
  }
}

const HEADER_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;
// CR and LF end a header in AMI; NUL ends a C string in Asterisk. Any of them would let a value start a new header.
const FORBIDDEN_IN_VALUE = /[\r\n\0]/;

/**
 * Encodes an action as the bytes to write. Throws `AmiHeaderError` when a name or value could break framing,
 * instead of stripping, so a caller never sends something other than what it meant.
 *
 * @example encodeAction({ Action: 'QueueSummary', ActionID: 'tt-1', Queue: 'support' })
 *   // 'Action: QueueSummary\r\nActionID: tt-1\r\nQueue: support\r\n\r\n'
 */
export function encodeAction(fields: Readonly<Record<string, string>>): string {
  let out = '';
  for (const [name, value] of Object.entries(fields)) {
    if (!HEADER_NAME.test(name)) throw new AmiHeaderError(name.slice(0, 40), 'its name is not letters, digits and `-`');
    if (FORBIDDEN_IN_VALUE.test(value)) throw new AmiHeaderError(name, 'its value contains a line break or NUL');
    if (value.length > MAX_HEADER_VALUE) throw new AmiHeaderError(name, `its value is ${value.length} characters long`);
    out += `${name}: ${value}\r\n`;
  }
  return out + '\r\n';
}

/** What the framer found in the stream. */
export type AmiFrame = { kind: 'banner'; version: string } | { kind: 'message'; message: AmiMessage };

/** The stream broke the protocol (a line or block too long): the connection should be dropped. */
export class AmiProtocolError extends Error {
  readonly code = 'ami-protocol';
}

/**
 * Splits the server's byte stream into the banner and messages. Accepts `\r\n` and bare `\n` line ends.
 * Memory stays bounded: a block larger than `MAX_INBOUND_BLOCK` throws `AmiProtocolError`.
 */
export class AmiFramer {
  private buffer = '';
  private lines: string[] = [];
  private blockSize = 0;
  private greeted = false;

  /** Feeds a chunk; returns the complete frames it finished. */
  push(chunk: string): AmiFrame[] {
    this.buffer += chunk;
    const frames: AmiFrame[] = [];
    let start = 0;
    for (;;) {
      const end = this.buffer.indexOf('\n', start);
      if (end < 0) break;
      const line = this.buffer.slice(start, end).replace(/\r$/, '');
      start = end + 1;
      const frame = this.line(line);
      if (frame) frames.push(frame);
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length + this.blockSize > MAX_INBOUND_BLOCK) {
      throw new AmiProtocolError(`AMI sent a message longer than ${MAX_INBOUND_BLOCK} bytes; the connection is dropped.`);
    }
    return frames;
  }

  private line(line: string): AmiFrame | undefined {
    if (!this.greeted && this.lines.length === 0 && line.startsWith('Asterisk Call Manager/')) {
      this.greeted = true;
      return { kind: 'banner', version: line.slice('Asterisk Call Manager/'.length) };
    }
    if (line === '') {
      if (this.lines.length === 0) return undefined;
      const message = parseBlock(this.lines);
      this.lines = [];
      this.blockSize = 0;
      return { kind: 'message', message };
    }
    this.lines.push(line);
    this.blockSize += line.length + 1;
    if (this.blockSize > MAX_INBOUND_BLOCK) {
      throw new AmiProtocolError(`AMI sent a message longer than ${MAX_INBOUND_BLOCK} bytes; the connection is dropped.`);
    }
    return undefined;
  }
}

function parseBlock(lines: readonly string[]): AmiMessage {
  const message: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    if (key === '' || key in message) continue;
    message[key] = line.slice(colon + 1).trim();
  }
  return message;
}

/**
 * Reads a non-negative integer field. Returns undefined for anything else, so a garbled answer becomes
 * "unknown" and never a made-up zero.
 */
export function intField(message: AmiMessage, key: string): number | undefined {
  const raw = message[key.toLowerCase()];
  if (raw === undefined || !/^\d{1,9}$/.test(raw)) return undefined;
  return Number(raw);
}
