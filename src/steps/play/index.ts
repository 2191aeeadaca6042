/** The `play` step kind: its language half and its engine half, joined. */
import type { PlayStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const playStep: StepModule<PlayStep> = { ...definition, ...compiler, kind: 'play' };
