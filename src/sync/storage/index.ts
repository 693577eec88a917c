export * from './types.ts';
export * from './uploadPlan.ts';
export * from './client.ts';
