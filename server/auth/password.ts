import { hash, verify } from "@node-rs/argon2";

/** Passwords are hashed with argon2id (OWASP's first choice), not better-auth's default scrypt. */
export const hashPassword = (password: string): Promise<string> => hash(password);

export async function verifyPassword({ hash: stored, password }: { hash: string; password: string }): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false; // malformed stored hash: never a match
  }
}
