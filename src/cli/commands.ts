/**
 * The registry of CLI commands: one line per command. Each module exports a `register` function.
 */
import type { Command } from 'commander';
import type { CliIO } from './io.js';
import { registerValidate } from './validate.js';
import { registerGraph } from './graph.js';
import { registerTest } from './test.js';
import { registerSimulate } from './simulate.js';
import { registerServe } from './serve.js';
import { registerPrompts } from './prompts.js';
import { registerCalls } from './calls.js';
import { registerStats } from './stats.js';
import { registerHours } from './hours.js';

/** Adds one command to the program. `setExit` records the exit code the command wants. */
export type RegisterCommand = (program: Command, io: CliIO, setExit: (code: number) => void) => void;

export const commands: RegisterCommand[] = [registerValidate, registerGraph, registerTest, registerSimulate, registerServe, registerPrompts, registerCalls, registerStats, registerHours];
