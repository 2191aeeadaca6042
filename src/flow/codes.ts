/**
 * The catalogue of diagnostic codes. A code is never reused or renamed; the README section `reference-codes`
 * is generated from this list and a test keeps the two in step.
 */
import type { Severity } from './diagnostics.js';

export interface CodeInfo {
  severity: Severity;
  /** A few words. */
  title: string;
  /** How to fix it. */
  hint: string;
  /** A small example of the problem (YAML). */
  example: string;
}

const e = (title: string, hint: string, example: string): CodeInfo => ({ severity: 'error', title, hint, example });
const w = (title: string, hint: string, example: string): CodeInfo => ({ severity: 'warning', title, hint, example });

/** Every code, by name. */
export const codes = {
  // The file itself
  'file-not-found': e('The file cannot be read', 'Check the path; folders are searched for `*.yaml` and `*.yml` files.', 'touchtone validate flows/missing.yaml'),
  'file-too-large': e('The file is larger than 1 MB', 'Split the flow into sub-flows; a flow file this large is almost certainly not hand-written.', '(a 5 MB file)'),
  'not-utf8': e('The file is not UTF-8 text', 'Save the file as UTF-8.', '(bytes such as 0xFF)'),
  'empty-file': e('The file is empty', 'Write a flow: `flow`, `language`, `start` and `steps`.', '(an empty file)'),
  'yaml-syntax': e('The file is not valid YAML', 'Fix the syntax at the position shown; quote values that contain `: ` or start with a special character.', 'text: "unclosed'),
  'tab-indent': e('A tab is used for indentation', 'YAML indents with spaces only: replace the tab with spaces.', 'steps:\n\tmain: …'),
  'duplicate-key': e('The same key appears twice in a map', 'YAML would silently keep only the last one: remove or rename one of them.', 'steps:\n  main: …\n  main: …'),
  'unquoted-hash': e('A key `#` without quotes', 'YAML reads `#` as the start of a comment, so the line is silently dropped: write `"#": …`.', 'options: \n  #: back'),
  'unquoted-star': e('A key `*` without quotes', 'YAML reads `*` as the start of an alias and stops: write `"*": …`.', 'keys:\n  *: back'),
  'numeric-key': e('A key YAML reads as a number', 'Quote the key: unquoted, `01` is the number 1, `0x1A` is 26 and `1e1` is 10, so the menu would listen for other keys. Write `"01":`.', 'options: { 01: agent }'),
  'comment-in-text': w('A spoken text cut short by a `#` comment', 'Unquoted, ` #` starts a comment and the rest of the line is dropped: quote the text (`text: "Press # then 2."`), or end it like a sentence before a comment of your own.', 'text: For support press # then 2.'),
  'alias-bomb': e('Too many YAML alias expansions', 'Aliases (`*name`) expand to copies; this file expands to too many. Write the values out, or use fewer aliases.', 'a: &a [x, x]\nb: &b [*a, *a] …'),
  'unknown-alias': e('A YAML alias `*name` with no anchor', 'To name a step or a value, write it without `*` (`"0": agent`); to repeat a value, mark it `&name` before the alias.', 'keys: { "0": *agent }'),
  'too-deep': e('The document is nested too deeply', 'Flows are shallow; flatten the structure (at most 64 levels).', '[[[[[[[[…]]]]]]]]'),
  'not-a-map': e('The document is not a map', 'A flow file is a map with `flow`, `language`, `start` and `steps` at the top.', '- play: welcome'),
  // Shape (JSON Schema)
  'unknown-step-kind': e('A step with no known kind', 'Every step has exactly one kind key: `play`, `menu`, `input`, `lookup`, `branch`, `hours`, `transfer`, `queue`, `record`, `set`, `language`, `hangup`, `subflow` or `return`.', 'main: { paly: welcome, next: menu }'),
  'multiple-step-kinds': e('A step with two kinds', 'Split it into two steps joined by `next`.', 'main: { play: hello, menu: { … } }'),
  'unknown-option': e('A step option that does not exist', 'Check the spelling; the message suggests the closest option and the hint lists all of them.', 'menu: { promt: main-menu, … }'),
  'unknown-property': e('A property that does not exist', 'Check the spelling against the reference; the hint lists the allowed properties.', 'defautls: { timeout: 5s }'),
  'missing-property': e('A required property is missing', 'Add it; the hint says what it is for.', 'main: { play: hello }   # no next'),
  'wrong-type': e('A value of the wrong type', 'Write the kind of value the message asks for (text, number, list, map).', 'retries: [2]'),
  'invalid-value': e('A value that is not allowed', 'Use one of the values the message lists.', 'purpose: voicemai'),
  'invalid-key': e('A menu key that is not a phone key', 'Keys are `0-9`, `*`, `#` and `A-D`; quote them: `"1"`, `"#"`.', 'options: { x: main }'),
  'invalid-name': e('A name that is not allowed', 'Names of steps, prompts and table entries start with a letter and use letters, digits, `_` and `-`; variable names use letters, digits and `_` (no `-`), and `call` is reserved for call facts.', 'steps: { "main menu": … }'),
  'out-of-range': e('A number or list outside its limits', 'Use a value inside the limits the message gives.', 'retries: 50'),
  'invalid-duration': e('Not a duration', 'Write a number with a unit: `500ms`, `5s`, `1.5s`, `2m`, or `0`.', 'timeout: 5 sec'),
  // Meaning
  'unknown-step': e('A reference to a step that does not exist', 'Name a step from `steps` (the message suggests the closest); `back`, `top` and `repeat` work only in options and keys.', 'next: mian'),
  'unknown-prompt': e('A prompt that is not in `prompts`', 'Add the prompt to `prompts`, or fix the name.', 'play: [welcom]'),
  'invalid-dial-target': e('A department target Asterisk would read as more than one', 'Write one endpoint such as `PJSIP/sales` (no `&`, `,`, `;` or `${…}`); for a ring group, use a queue.', 'dial: PJSIP/a&PJSIP/b'),
  'unknown-department': e('A department that is not in `departments`', 'Add it to `departments` (a dial string, a context or a queue), or fix the name.', 'transfer: sale'),
  'unknown-schedule': e('A schedule that is not in `hours`', 'Add it to `hours`, or fix the name.', 'hours: ofice'),
  'unknown-data-source': e('A data source that is not in `data`', 'Add it to `data`, or fix the name.', 'lookup: { source: acounts, … }'),
  'unknown-queue': e('A queue that is not in `queues`', 'Add it to `queues`, or fix the name.', 'queue: { name: suport }'),
  'unknown-language': e('A language that is not in `languages`', 'Add it to `languages` (and give its prompts a text in it), or fix the name.', 'language: fr'),
  'unreachable-step': w('A step no call can reach', 'Lead to it from another step, or delete it.', 'steps:\n  old-menu: …   # nothing goes here'),
  'no-way-out': e('Steps that never lead to an end', 'Make some path lead to a `hangup`, `transfer`, `queue` or `return`, or to a menu whose retries can run out.', 'a: { menu: { prompt: x, options: { "1": b } }, exhausted: b }\nb: { play: x, next: a }'),
  'input-free-loop': e('A loop that never waits for the caller', 'Put a `menu`, `input` or `record` in the loop, let a `branch` leave it on a variable the loop changes (`tries < 3` after `set: { tries: { expr: "tries + 1" } }`), or end it; otherwise the call spins until `maxSteps`.', 'a: { play: x, next: b }\nb: { play: y, next: a }'),
  'ambiguous-option': w('A menu option that is the start of a longer option or pattern', 'Callers who press the short option wait for the inter-digit timeout. Use distinct first keys, or accept the wait.', 'options: { "1": a, "12": b }'),
  'invalid-pattern': e('A dial pattern that cannot be read', 'Patterns use digits, `X` (0-9), `Z` (1-9), `N` (2-9), `[1-4]` and a final `.`.', 'patterns: { "1X?": … }'),
  'invalid-regex': e('An input pattern that is not a regular expression', 'Fix the regular expression.', 'pattern: "[0-9"'),
  'invalid-digits': e('An input length that cannot be read', 'Write `4` or a range like `6-10` (smallest first).', 'digits: 10-6'),
  'undefined-variable': e('A template or condition reads a variable nobody sets', 'Set it in `variables`, `params`, a `set` step or an `into`, or fix the name; call facts are under `call.`.', 'play: [{ number: "${acount}" }]'),
  'invalid-template': e('A template that cannot be read', 'Write `${name}` or `${record.field}`; `$${` writes a literal `${`.', 'key: "${account"'),
  'invalid-condition': e('A condition that is not valid CEL', 'Fix the expression (CEL: `&&`, `||`, `==`, `in`, `size()` …).', 'if: "balance >"'),
  'condition-type': e('A condition that compares text with a number', 'CEL never converts: write `int(count) > 5` (or `double(…)`); what the caller keys, and text with a template inside, is text.', 'if: "count > 5"   # count is an input'),
  'invalid-time': e('A time or time range that cannot be read', 'Write `HH:MM-HH:MM` ranges, comma-separated, or `closed`.', 'mon-fri: "8-18"'),
  'invalid-day': e('A day or day range that cannot be read', 'Use `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`, ranges (`mon-fri`) and lists (`mon,wed`).', 'monday-friday: "08:00-18:00"'),
  'invalid-date': e('A date that cannot be read', 'Write dates as `YYYY-MM-DD`.', 'closed: [24.12.2026]'),
  'invalid-timezone': e('A time zone that does not exist', 'Use an IANA name such as `Europe/Berlin` or `America/New_York`.', 'timezone: CET+1'),
  'invalid-holiday-country': e('A holiday calendar that does not exist', 'Use a country code (`DE`, `US`) and a region code that the holiday calendar knows.', 'holidays: { country: XX }'),
  'no-agent-exit': w('A menu with no way to an agent or out', 'Give callers a way to a person or out: an option or key to a `queue` or `transfer`, or `back`/`top`.', 'options: { "1": info }   # and info leads back here'),
  'caller-input-in-sound': e('A sound file named by what the caller keyed', 'Caller input must never become a file name: look the value up and name the sound by a field of the record (`${product.sound}`), or by a value the flow sets.', 'play: [{ sound: "products/${code}" }]   # code is an input'),
  'callback-number-unconfirmed': e('A typed callback number the caller never confirmed', 'Read the number back before calling it: add `confirm:` to the `input` step that collects it.', 'input: { into: cbnumber, digits: 6-15 }   # no confirm'),
  'secret-leak': e('A secret input used where it would be logged or spoken', 'Use secret inputs only in a lookup’s `verify` (and in conditions); never in prompts, keys, `set`, queue vars or returns.', 'key: "${pin}"   # pin is secret'),
  'missing-translation': w('A prompt with no text for a language of the flow', 'Give the prompt a text for every language in `languages`.', 'text: { en: Hello }   # languages: [en, de]'),
  'template-in-prompt': w('A `${…}` in the `prompts` table, which is spoken as written', 'Templates work in play items only: speak the value with `{ number: "${count}" }`, `{ digits: … }`, `{ money: … }`, or `{ sound: …, text: "Hello ${name}" }`.', 'prompts: { hi: { text: "Hello ${name}" } }'),
  'missing-sound': w('A prompt’s sound file is missing for a language', 'Record the file, or copy it to `<sounds>/<language>/<sound>.wav` (or another Asterisk format). Checked only with `touchtone validate --sounds <dir>`.', 'sound: acme/welcome   # no de/acme/welcome.wav'),
  'sounds-not-found': e('The `--sounds` folder does not exist', 'Name the folder that holds `<language>/<sound>.wav` files, such as `/usr/share/asterisk/sounds` or `/var/lib/asterisk/sounds/custom`.', 'touchtone validate --sounds /usr/share/asterisk/sound'),
  'return-outside-subflow': e('A `return` step in a flow that is not a sub-flow', 'Declare `params` (even `{}`) to make the file a sub-flow, or end with `hangup`.', 'done: { return: true }'),
  'subflow-not-found': e('A sub-flow file that cannot be read', 'The path is relative to the flow file; check it.', 'subflow: { file: shared/langauge.yaml }'),
  'not-a-subflow': e('A sub-flow file without `params`', 'Declare `params` in the sub-flow (`params: {}` when it takes none).', '(a flow file used as a sub-flow)'),
  'missing-param': e('A required sub-flow parameter is not passed', 'Pass it in `subflow.params`: the sub-flow declares it as `null` (required).', 'subflow: { file: pin.yaml }   # pin.yaml needs account'),
  'unknown-param': e('A sub-flow parameter that the sub-flow does not declare', 'Pass only parameters the sub-flow declares in `params`.', 'params: { acount: "${account}" }'),
  'subflow-cycle': e('Sub-flows that call each other in a cycle', 'Break the cycle: a sub-flow may not run itself, directly or through others.', 'a.yaml → b.yaml → a.yaml'),
} satisfies Record<string, CodeInfo>;

/** A code name from the catalogue. */
export type Code = keyof typeof codes;

/** The catalogue's entry for a code. */
export function codeInfo(code: string): CodeInfo | undefined {
  return (codes as Record<string, CodeInfo>)[code];
}
