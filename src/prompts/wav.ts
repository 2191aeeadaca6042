/**
 * Just enough WAV (RIFF, PCM) to turn a TTS engine's output into what Asterisk plays without transcoding:
 * 8 kHz, mono, 16-bit signed little-endian. Used when `sox` is not installed.
 */

export interface PcmAudio {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Interleaved samples, as signed 16-bit. */
  samples: Int16Array;
}

/** The format telephony uses, and the only one `--render` writes. */
export const TELEPHONE_RATE = 8000;

/**
 * Reads a PCM WAV file. Accepts the streaming form espeak-ng writes to a pipe (sizes 0 or 0xFFFFFFFF): the
 * data then runs to the end of the file.
 */
export function parseWav(bytes: Uint8Array): PcmAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file (no RIFF/WAVE header)');
  let at = 12;
  let format: { channels: number; sampleRate: number; bits: number } | undefined;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    let size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (view.getUint16(body, true) !== 1) throw new Error('WAV is not PCM');
      format = { channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data comes before its format');
      if (format.bits !== 16) throw new Error(`WAV has ${format.bits}-bit samples; 16-bit expected`);
      if (size === 0 || size === 0xffffffff || body + size > bytes.length) size = bytes.length - body;
      const count = Math.floor(size / 2);
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i++) samples[i] = view.getInt16(body + i * 2, true);
      return { sampleRate: format.sampleRate, channels: format.channels, bitsPerSample: 16, samples };
    }
    at = body + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

/**
 * Mixes to mono and resamples to 8 kHz. Each output sample averages the input samples it covers, which is the
 * low-pass needed against aliasing when going down from 16-22 kHz speech; quality is fine for prompts.
 */
export function toTelephone(audio: PcmAudio): Int16Array {
  const frames = Math.floor(audio.samples.length / audio.channels);
  const mono = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < audio.channels; c++) sum += audio.samples[f * audio.channels + c]!;
    mono[f] = sum / audio.channels;
  }
  const ratio = audio.sampleRate / TELEPHONE_RATE;
  const out = new Int16Array(Math.floor(frames / ratio));
  for (let i = 0; i < out.length; i++) {
    const from = i * ratio;
    const to = Math.min(frames, (i + 1) * ratio);
    let sum = 0;
    let weight = 0;
    for (let j = Math.floor(from); j < Math.ceil(to); j++) {
      const w = Math.min(j + 1, to) - Math.max(j, from);
      sum += mono[j]! * w;
      weight += w;
    }
    out[i] = Math.max(-32768, Math.min(32767, Math.round(weight ? sum / weight : 0)));
  }
  return out;
}

/** Writes 16-bit mono PCM samples as a WAV file at `sampleRate`. */
export function encodeWav(samples: Int16Array, sampleRate = TELEPHONE_RATE): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const text = (at: number, s: string) => [...s].forEach((ch, i) => (bytes[at + i] = ch.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, samples[i]!, true);
  return bytes;
}
