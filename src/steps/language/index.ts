/** The `language` step kind: its language half and its engine half, joined. */
import type { LanguageStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const languageStep: StepModule<LanguageStep> = { ...definition, ...compiler, kind: 'language' };
