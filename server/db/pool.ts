import pg from "pg";

// BIGINT counts come back as strings by default; ours fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** A plain pg pool for the hot path (the step executor writes with hand-tuned batched SQL). */
export function createPool({ databaseUrl, max = 10 }: { databaseUrl: string; max?: number }): pg.Pool {
  return new pg.Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 30_000 });
}

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
