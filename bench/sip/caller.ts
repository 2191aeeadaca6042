/**
 * SIPp callers for `npm run bench:ari -- --real --sip`: each call dials in over SIP (G.711 µ-law, RFC 4733 events),
 * waits for the IVR to answer, then presses `1`, `2`, `3` … a second apart (`dtmf_2833_<d>.pcap`, shipped with
 * Debian's `sip-tester`), and hangs up. The captures of `1` to `9` carry rising RTP timestamps; Asterisk takes an
 * event with the timestamp of the last one for a repeat of it, so each press must be the next digit. SIPp is a load generator written in C: a caller costs Asterisk one channel and its
 * RTP, as a phone does, instead of the Local channel pair and the ARI request per key of the Local-channel mode.
 */
import { writeFileSync } from 'node:fs';

/** Where Debian's `sip-tester` keeps its DTMF captures. */
export const DTMF_PCAP_DIR = '/usr/share/sip-tester';
/** At most this many presses per call: the digits `1` to `9`. */
export const MAX_KEYS = 9;

/** The scenario: INVITE, ACK on 200, then `keys` presses (`1` …) a second apart after `firstKeyMs`, then BYE. */
export function callerScenario(keys: number, firstKeyMs: number): string {
  if (!Number.isInteger(keys) || keys < 1 || keys > MAX_KEYS) throw new RangeError(`--keys must be 1 to ${MAX_KEYS} with --sip, not ${keys}`);
  const presses = Array.from({ length: keys }, (_, i) =>
    [
      `  <pause milliseconds="${i === 0 ? firstKeyMs : 1000}"/>`,
      `  <nop><action><exec play_pcap_audio="${DTMF_PCAP_DIR}/dtmf_2833_${i + 1}.pcap"/></action></nop>`,
    ].join('\n'),
  ).join('\n');
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="Touchtone bench caller">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:bench[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:bench[call_number]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=bench 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-16
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:bench[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
${presses}
  <pause milliseconds="1000"/>
  <send retrans="500">
    <![CDATA[
      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:bench[call_number]@[local_ip]:[local_port]>;tag=[pid]T[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
`;
}

/** Writes the scenario for SIPp's `-sf`. */
export function writeCallerScenario(path: string, keys: number, firstKeyMs: number): void {
  writeFileSync(path, callerScenario(keys, firstKeyMs));
}
