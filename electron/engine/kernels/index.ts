export * from './embedding-injection.ts';
export * from './gelu.ts';
export * from './injection-kernels.ts';
export * from './projector.ts';
