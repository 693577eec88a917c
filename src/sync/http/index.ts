export * from './backoff.ts';
export * from './request.ts';
