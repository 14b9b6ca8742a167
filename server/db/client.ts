import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;
export { Prisma } from "../generated/prisma/client.ts";

/** Creates a Prisma client on the pg driver adapter. The caller owns it and must `$disconnect()` it. */
export function createDb({ databaseUrl, poolSize = 10 }: { databaseUrl: string; poolSize?: number }): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
}
