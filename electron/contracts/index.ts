/** The contracts between the UI and the engine (DESIGN.md §2, §9): import from here. */
export * from './align-steps.ts';
export * from './api.ts';
export * from './dataset.ts';
export * from './events.ts';
export * from './jobs.ts';
export * from './messages.ts';
export * from './pipeline.ts';
export * from './project.ts';
export * from './recommender.ts';
export * from './train-counts.ts';
