/** Flows the engine tests share. Prompt durations are explicit so virtual times are exact. */

/**
 * intro (1s play) → main menu (prompt 2s). Options: 1 (beside 12), 2 → sub menu, 3 → account input, 45, 9 = repeat.
 * Global keys: 0 → agent, * → back. Every end is a distinct hangup step, so the outcome's step says where a call went.
 */
export const MENU_FLOW = `
flow: semantics
language: en
start: intro
defaults: { timeout: 5s, interDigitTimeout: 3s, retries: 2, error: oops }
prompts:
  intro: { text: "Intro", duration: 1s }
  menu: { text: "Main menu", duration: 2s }
  menu-short: { text: "Short menu", duration: 1s }
  no-input-1: { text: "No input one", duration: 1s }
  no-input-2: { text: "No input two", duration: 1s }
  no-match-1: { text: "No match", duration: 1s }
  sub: { text: "Sub menu", duration: 1s }
  subsub: { text: "Sub sub menu", duration: 1s }
  acct: { text: "Account please", duration: 1s }
  pin: { text: "PIN please", duration: 1s }
keys: { "0": agent, "*": back }
steps:
  intro: { play: [intro], next: main }
  main:
    menu:
      prompt: menu
      shortPrompt: menu-short
      options: { "1": one, "12": twelve, "2": sub, "3": acct, "45": fortyfive, "9": repeat, "7": pin }
      noInput: { prompt: [no-input-1, no-input-2] }
      noMatch: { prompt: [no-match-1], next: nomatch-out }
    exhausted: exhausted
  sub:
    menu:
      prompt: sub
      options: { "1": subsub, "2": main }
      keys: { "0": null }
  subsub:
    menu:
      prompt: subsub
      options: { "0": one, "8": top }
  acct:
    input: { prompt: acct, digits: 6-10, into: account }
    next: ok
    exhausted: main
  pin:
    input: { prompt: pin, digits: 4, into: pin, secret: true }
    next: ok
    flush: true
  one: { hangup: true }
  twelve: { hangup: true }
  fortyfive: { hangup: true }
  agent: { hangup: true }
  exhausted: { hangup: true }
  nomatch-out: { hangup: true }
  ok: { hangup: true }
  oops: { hangup: true }
`;
