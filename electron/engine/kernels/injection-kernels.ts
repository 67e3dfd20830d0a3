/**
 * The injection kernels behind one interface, and the choice between them. This is the only file
 * that may load the native addon (native/, DESIGN.md §8): when that lands, `loadInjectionKernels`
 * tries it here and falls back to the TS reference, saying why. Until then it returns the reference.
 */
import {
  type InjectionBackwardOptions,
  type InjectionForward,
  type InjectionGradients,
  type InjectionInput,
  type InjectionSaved,
  injectBackward,
  injectForward,
} from './embedding-injection.ts';

export interface InjectionKernels {
  readonly name: 'ts-reference' | 'native';
  /** Set when these kernels stand in for the native addon: why it was not used. */
  readonly fallbackReason?: string;
  forward(input: InjectionInput): InjectionForward;
  backward(dOut: Float32Array, saved: InjectionSaved, opts: InjectionBackwardOptions): InjectionGradients;
}

/** The pure-TS reference: the semantics the native kernels are tested against. */
export const tsReferenceKernels: InjectionKernels = {
  name: 'ts-reference',
  forward: injectForward,
  backward: injectBackward,
};

/** The fastest kernels available here; for now always the reference (the addon is not built yet). */
export function loadInjectionKernels(): InjectionKernels {
  return { ...tsReferenceKernels, fallbackReason: 'the native injection addon is not part of this build' };
}
