/**
 * Hides passwords in a raw query before it is logged (influxd's access log does the same): the password of
 * `SET PASSWORD FOR u = '...'` and `CREATE USER u WITH PASSWORD '...'` becomes [REDACTED], even in invalid queries.
 */
const SET_PASSWORD = /password\s+for[^=]*=\s+(["']?[^\s"]+["']?)/gi
const CREATE_PASSWORD = /with\s+password\s+(["']?[^\s"]+["']?)/gi

function redact(query: string, re: RegExp): string {
  return query.replace(re, (match: string, secret: string) => match.slice(0, match.length - secret.length) + '[REDACTED]')
}

export function sanitizeQuery(query: string): string {
  return redact(redact(query, SET_PASSWORD), CREATE_PASSWORD)
}
