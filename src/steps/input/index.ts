/** The `input` step kind: its language half and its engine half, joined. */
import type { InputStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const inputStep: StepModule<InputStep> = { ...definition, ...compiler, kind: 'input' };
