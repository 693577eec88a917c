export * from './client.ts';
export * from './provider.ts';
