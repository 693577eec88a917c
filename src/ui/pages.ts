// Extension pages the manifest does not name, by their path in the build (vite.config.ts adds them as inputs).
export const HISTORY_PAGE = 'src/history/history.html';
