/** The `hangup` step kind: its language half and its engine half, joined. */
import type { HangupStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const hangupStep: StepModule<HangupStep> = { ...definition, ...compiler, kind: 'hangup' };
