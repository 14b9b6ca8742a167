// Stands in for the 'server-only' package under Vitest (route handlers are tested directly).
export {};
