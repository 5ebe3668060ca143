/**
 * The last line of defence for secrets in `medic config check` output. Findings already print secret values as
 * [REDACTED]; this pass also replaces every secret value medic read (license keys, shared secrets, passwords, from
 * files or INFLUXDB_* variables, including keys with misspelt names) wherever it might still appear in the report,
 * and runs the log redactor over the values. It never changes src/logs/redact.ts.
 */
import {redact} from '../logs/redact.js'

/** Key or variable names whose values are treated as secrets by this pass (wider than the documented keys). */
const SECRETISH = /secret|secert|pass|pwd|licen[cs]e|token|(?:^|[-_])key$/i

export function isSecretish(name: string): boolean {
  return SECRETISH.test(name) && !/licen[cs]e[-_]path|private[-_]key|hash|[-_]tls/i.test(name)
}

export class SecretSet {
  private readonly values = new Set<string>()

  add(name: string, value: unknown): void {
    if (typeof value !== 'string' || !isSecretish(name)) return
    const v = value.trim()
    if (v.length >= 4) this.values.add(v)
  }

  /** Replaces every known secret in every string of `data`, deeply; returns a new value. */
  scrub<T>(data: T): T {
    const list = [...this.values].sort((a, b) => b.length - a.length)
    const walk = (x: unknown, key?: string): unknown => {
      if (typeof x === 'string') {
        let s = x
        for (const secret of list) {
          if (s === secret || (secret.length >= 6 && s.includes(secret))) s = s.split(secret).join('[REDACTED]')
        }
        return key === 'value' ? redact(s) : s
      }
      if (Array.isArray(x)) return x.map((y) => walk(y))
      if (x !== null && typeof x === 'object') {
        const out: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(x)) out[k] = walk(v, k)
        return out
      }
      return x
    }
    return walk(data) as T
  }
}
