export * from './alignment-report.ts';
export * from './answerer.ts';
export * from './eval-example.ts';
export * from './evaluate-alignment.ts';
export * from './lm-answerer.ts';
