/** The renderer's one door to the shared contracts (DESIGN.md §2: the renderer sees only contracts/). */
export * from '../../electron/contracts/index.ts';
