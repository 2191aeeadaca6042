/**
 * The codes a running call reports: in `failed` outcomes, in trace notes and in logs. Separate from the flow
 * diagnostics catalogue (`src/flow/codes.ts`), which is about files; never reused or renamed. A test keeps the
 * engine's code in step with this list.
 */
export const callCodes = {
  'step-cap': 'The call made more step transitions than `defaults.maxSteps` (500): it went to `defaults.error`, or was hung up. Break the loop or raise the cap.',
  'internal-error': 'Something inside the engine failed; the call was hung up. The log has the details (call id and step).',
  'retries-exhausted': 'A menu or input ran out of retries and names no `next`, no `exhausted` and no `defaults.error`: the call was hung up. Name a destination.',
  'transfer-failed': 'A transfer was busy, unanswered or failed, and the step names no branch for it and there is no `defaults.error`: the call was hung up.',
  'lookup-timeout': 'A lookup took longer than its `timeout`; the step took its `error` branch.',
  'lookup-failed': 'A data source threw instead of answering; the step took its `error` branch.',
  'unknown-source': 'A lookup names a data source the flow does not define; the step took its `error` branch.',
  'condition-error': 'A `branch` condition could not be evaluated (for example a missing variable); it counted as false.',
  'expression-error': 'A `set` expression could not be evaluated; the variable was left as it was.',
  'unknown-hours': 'An `hours` step names a schedule the flow does not define; the step took `closed`.',
  'recording-lost': 'The telephony never reported the end of a recording; the step took `failed`.',
  'unknown-flow': 'The dialplan asked for a flow that is not published; the call runs the default flow.',
  'draining': 'The engine is shutting down and takes no new calls; the call was hung up.',
  'hangup': 'The caller hung up (trace note).',
  'resumed': 'The call was taken back after a telephony reconnect (trace note).',
  'playback-failed': 'A prompt could not be played (a missing sound file, or a playback that did not start in time); the flow went on as if it had ended (trace note and warning). `touchtone prompts` lists missing sound files.',
  'not-resumed': 'The call was taken back after a telephony reconnect, but its saved state could not be used; it began at the flow\'s error step (`defaults.error`) instead of its start (trace note).',
  'handed-over': 'The call was handed to a destination outside the flow (the dialplan fallback when the server stops) and ended `transferred` there (trace note).',
  'transfer-ended': 'The department hung up on a bridged transfer with an `answered` branch; the caller is back in the flow at that step (trace note).',
  'unsafe-sound': 'A templated `sound` rendered to an empty or unsafe file name (only letters, digits, `_`, `-` and `/`, at most 128 characters); that sound was skipped and the prompt went on (trace note).',
  'callback-booked': 'The caller pressed the callback key and the callback was booked; the call went to `callback.next` (trace note).',
  'callback-off': 'The caller pressed the callback key, but no callback service is configured; the call went to `callback.refused`, or queued.',
  'callback-unavailable': 'The callback service failed or did not answer within 2 s; the call went to `callback.refused`, or queued.',
} as const;

/** One of the call codes. */
export type CallCode = keyof typeof callCodes;
