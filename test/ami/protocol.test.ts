import { describe, expect, it } from 'vitest';
import { AmiFramer, AmiHeaderError, AmiProtocolError, encodeAction, intField, MAX_INBOUND_BLOCK } from '../../src/telephony/ami/protocol.js';
import { parseSummary } from '../../src/telephony/ami/queue-status.js';

describe('encodeAction', () => {
  it('writes headers in order and ends the block with a blank line', () => {
    expect(encodeAction({ Action: 'QueueSummary', ActionID: 'tt-1', Queue: 'support' })).toBe('Action: QueueSummary\r\nActionID: tt-1\r\nQueue: support\r\n\r\n');
  });

  it.each([
    ['CR LF', 'support\r\nAction: Originate'],
    ['bare LF', 'support\nAction: Originate'],
    ['bare CR', 'support\rAction: Originate'],
    ['NUL', 'support\0x'],
    ['10 KB', 'q'.repeat(10 * 1024)],
  ])('refuses a value with %s', (_label, value) => {
    expect(() => encodeAction({ Action: 'QueueSummary', Queue: value })).toThrow(AmiHeaderError);
  });

  it('refuses a header name that could carry a second header', () => {
    expect(() => encodeAction({ 'Queue: x\r\nAction': 'y' })).toThrow(/letters, digits/);
  });

  it('sends `&` and `;` verbatim: they mean nothing in AMI framing', () => {
    expect(encodeAction({ Variable: 'a=1&b=2;c' })).toBe('Variable: a=1&b=2;c\r\n\r\n');
  });

  it('names the header and the fix in its message', () => {
    expect(() => encodeAction({ Secret: 'x\r\n' })).toThrow('AMI header `Secret` was not sent because its value contains a line break or NUL; pass a value without line breaks, at most 1024 characters.');
  });
});

describe('AmiFramer', () => {
  it('reads the banner, then messages with lower-cased keys', () => {
    const framer = new AmiFramer();
    const frames = framer.push('Asterisk Call Manager/9.0.0\r\nResponse: Success\r\nActionID: tt-1\r\nMessage: Authentication accepted\r\n\r\n');
    expect(frames).toEqual([
      { kind: 'banner', version: '9.0.0' },
      { kind: 'message', message: { response: 'Success', actionid: 'tt-1', message: 'Authentication accepted' } },
    ]);
  });

  it('joins messages split across chunks at any byte, and accepts bare LF', () => {
    const text = 'Event: QueueSummary\nQueue: support\r\nLoggedIn: 2\r\n\r\nEvent: X\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const framer = new AmiFramer();
      const frames = [...framer.push(text.slice(0, cut)), ...framer.push(text.slice(cut))];
      expect(frames.map((f) => (f.kind === 'message' ? f.message.event : 'banner'))).toEqual(['QueueSummary', 'X']);
    }
  });

  it('keeps the first copy of a repeated key and a value that contains ": "', () => {
    const [frame] = new AmiFramer().push('Event: A\r\nEvent: B\r\nMessage: a: b\r\n\r\n');
    expect(frame).toEqual({ kind: 'message', message: { event: 'A', message: 'a: b' } });
  });

  it('drops a stream with a line longer than the bound instead of buffering it', () => {
    const framer = new AmiFramer();
    expect(() => framer.push('Event: ' + 'x'.repeat(MAX_INBOUND_BLOCK))).toThrow(AmiProtocolError);
  });

  it('drops a stream with a block of many short lines longer than the bound', () => {
    const framer = new AmiFramer();
    expect(() => framer.push('K: v\r\n'.repeat(MAX_INBOUND_BLOCK / 4))).toThrow(AmiProtocolError);
  });

  it('does not take a banner-like line inside a message for the banner', () => {
    const frames = new AmiFramer().push('Response: Success\r\nAsterisk Call Manager/1: x\r\n\r\n');
    expect(frames).toHaveLength(1);
  });
});

describe('QueueSummary fields', () => {
  it('reads numbers and caps free at logged in', () => {
    expect(parseSummary({ loggedin: '2', available: '5', callers: '1', holdtime: '30' })).toEqual({ loggedIn: 2, free: 2, waiting: 1, holdTimeSec: 30 });
  });

  it.each(['', '-1', '1.5', 'NaN', '99999999999', ' 3x'])('treats `%s` as unknown, never as zero', (value) => {
    expect(parseSummary({ loggedin: value, available: '0', callers: '0', holdtime: '0' })).toBeUndefined();
    expect(intField({ loggedin: value }, 'LoggedIn')).toBeUndefined();
  });

  it('is unknown when a field is missing', () => {
    expect(parseSummary({ loggedin: '1', available: '1', callers: '0' })).toBeUndefined();
  });
});
