/** The `set` step kind: its language half and its engine half, joined. */
import type { SetStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const setStep: StepModule<SetStep> = { ...definition, ...compiler, kind: 'set' };
