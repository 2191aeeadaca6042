/**
 * Everything that turns network or flow values into ARI parameters passes through here. Caller input never becomes
 * a dial string, a channel variable name, a file path or a header: names are checked against allow-lists, values
 * lose control characters and are bounded.
 */
import { isDigit, type Digit } from '../../flow/types.js';
import type { Media } from '../port.js';

/** Removes CR, LF, NUL and every other control character, then bounds the length. */
export function cleanValue(value: unknown, maxLength: number): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '').slice(0, maxLength);
}

/** Longest channel variable value we set; agents' screen-pops need a line, not a document. */
export const MAX_VARIABLE_VALUE = 1024;

const VARIABLE_NAME = /^TOUCHTONE_[A-Z0-9_]{1,48}$/;

/** True if `name` may be set as a channel variable (`TOUCHTONE_` plus upper-case letters, digits, `_`). */
export function isVariableName(name: string): boolean {
  return VARIABLE_NAME.test(name);
}

/** The DTMF digit, or undefined for anything Asterisk should never send. */
export function toDigit(value: unknown): Digit | undefined {
  return isDigit(value) ? value : undefined;
}

const FLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** True for a flow name as the dialplan may pass it (`Stasis(touchtone,<flow>)`). */
export function isFlowName(value: string): boolean {
  return FLOW_NAME.test(value);
}

/** Ids we choose (playbacks, recordings, bridges) and Asterisk's channel ids. */
const ID = /^[A-Za-z0-9._:-]{1,160}$/;

export function isSafeId(value: string): boolean {
  return ID.test(value);
}

/** Sound and recording names: path segments of letters, digits, `_` and `-`; never `..`, never absolute. */
const SOUND_NAME = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+){0,7}$/;

export function isSoundName(value: string): boolean {
  return value.length <= 200 && SOUND_NAME.test(value);
}

const LANGUAGE = /^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})?$/;

export function isLanguage(value: string): boolean {
  return LANGUAGE.test(value);
}

/** Asterisk context and extension names we hand calls to; they come from config, but we check anyway. */
const DIALPLAN_NAME = /^[A-Za-z0-9_.+-]{1,80}$/;

export function isDialplanName(value: string): boolean {
  return DIALPLAN_NAME.test(value);
}

/**
 * A dial endpoint: technology, a slash and a resource, from the flow's departments or the callback config.
 * `&` (parallel dial), `,` (arguments), `;`, `$`, quotes and spaces are refused.
 */
const ENDPOINT = /^(PJSIP|SIP|IAX2|Local|DAHDI|Test)\/[A-Za-z0-9_.+@:-]{1,100}(\/n)?$/;

export function isEndpoint(value: string): boolean {
  return ENDPOINT.test(value);
}

/** A queue name as queues.conf allows it and the shipped dialplan filters it. */
export function isQueueName(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

/** The error raised when a media item cannot be expressed as an ARI media URI. */
export class MediaError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turns media items into ARI media URIs. A comma separates URIs in ARI's `media` parameter, so values are
 * allow-listed before they are joined: a number is an optional minus and digits, `digits:` is DTMF digits,
 * `characters:` is letters and digits.
 */
export function toMediaUris(media: readonly Media[]): string[] {
  const uris: string[] = [];
  for (const item of media) {
    switch (item.kind) {
      case 'sound':
        if (!isSoundName(item.name)) throw new MediaError('ARI_MEDIA_NAME', `Sound name \`${cleanValue(item.name, 80)}\` is not a plain sound path; use letters, digits, \`_\`, \`-\` and \`/\`.`);
        uris.push(`sound:${item.name}`);
        break;
      case 'recording':
        if (!isSoundName(item.name)) throw new MediaError('ARI_MEDIA_NAME', `Recording name \`${cleanValue(item.name, 80)}\` is not a plain name; use letters, digits, \`_\`, \`-\` and \`/\`.`);
        uris.push(`recording:${item.name}`);
        break;
      case 'number': {
        const value = item.value.trim();
        if (!/^-?\d{1,15}$/.test(value)) throw new MediaError('ARI_MEDIA_VALUE', `Number \`${cleanValue(item.value, 40)}\` cannot be spoken; only whole numbers up to 15 digits can.`);
        uris.push(`number:${value}`);
        break;
      }
      case 'digits':
        if (!/^[0-9*#A-D]{1,64}$/.test(item.value)) throw new MediaError('ARI_MEDIA_VALUE', `Digits \`${cleanValue(item.value, 40)}\` cannot be spoken; only 0-9, *, # and A-D can.`);
        uris.push(`digits:${item.value}`);
        break;
      case 'characters':
        if (!/^[A-Za-z0-9]{1,64}$/.test(item.value)) throw new MediaError('ARI_MEDIA_VALUE', `Characters \`${cleanValue(item.value, 40)}\` cannot be spelled; only letters and digits can.`);
        uris.push(`characters:${item.value}`);
        break;
      case 'silence': {
        // Asterisk ships silence/1 … silence/10 (seconds); build the pause from those.
        let seconds = Math.max(1, Math.round(item.durationMs / 1000));
        seconds = Math.min(seconds, 60);
        while (seconds > 0) {
          const chunk = Math.min(10, seconds);
          uris.push(`sound:silence/${chunk}`);
          seconds -= chunk;
        }
        break;
      }
    }
  }
  return uris;
}
