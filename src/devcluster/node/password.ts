/**
 * The password hashes the meta store keeps for cluster users, checked by meta nodes (Basic auth on 8091) and by data
 * nodes (Basic auth and u/p on 8086): scrypt from node:crypto with a per-user random salt, encoded with its cost
 * parameters (`scrypt$N$r$p$<salt>$<key>`, base64url) so the cost can change without breaking old hashes. Hashing
 * happens where a command is proposed, never in the meta state machine, which must stay deterministic.
 */
import {randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions} from 'node:crypto'


const DEFAULT_COST = {N: 16_384, r: 8, p: 1}
const KEY_BYTES = 32
/** Upper bounds for parameters read back from a stored hash, so a damaged hash cannot ask for gigabytes. */
const MAX_N = 1 << 20

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)))
  })
}

const memFor = (N: number, r: number) => 128 * N * r * 2

/** Hashes a password for a createUser / setPassword command. `salt` and `cost` are for tests. */
export async function hashPassword(password: string, salt: Buffer = randomBytes(16), cost = DEFAULT_COST): Promise<string> {
  const key = await scrypt(password, salt, KEY_BYTES, {...cost, maxmem: memFor(cost.N, cost.r)})
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

/** True when `password` matches `hash`; false for a wrong password or a hash this code cannot read. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parts = hash.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = parts.slice(1, 4).map(Number)
  if (![N, r, p].every((x) => Number.isSafeInteger(x) && x > 0) || N > MAX_N || (N & (N - 1)) !== 0 || r > 32 || p > 16) return false
  const salt = Buffer.from(parts[4], 'base64url')
  const expected = Buffer.from(parts[5], 'base64url')
  if (expected.length === 0) return false
  let key: Buffer
  try {
    key = await scrypt(password, salt, expected.length, {N, r, p, maxmem: memFor(N, r)})
  } catch {
    return false
  }
  return timingSafeEqual(key, expected)
}
