/**
 * Removes secrets from text medic prints: passwords in query strings (`p=`), JSON or logfmt, bearer tokens, Basic
 * credentials, influxd-ctl's -pwd / -secret arguments, license keys and shared secrets in config lines. Log lines
 * copied into reports (examples, templates) and extracted values pass through here, in every output format.
 */
const RULES: Array<[RegExp, string]> = [
  [/([?&](?:p|password|token)=)[^&\s"']+/gi, '$1[REDACTED]'],
  [/("?(?:password|passwd|pwd|secret|token|shared[-_]secret|internal[-_]shared[-_]secret|license[-_]key)"?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,&}]+)/gi, '$1[REDACTED]'],
  [/(\bBearer\s+)[\w.~+/=-]+/g, '$1[REDACTED]'],
  [/(\bBasic\s+)[A-Za-z0-9+/=]{8,}/g, '$1[REDACTED]'],
  [/(\s-(?:pwd|secret|password)[\s=]+)("[^"]*"|'[^']*'|\S+)/g, '$1[REDACTED]'],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1[REDACTED]@'],
]

const QUICK = /p=|pass|pwd|secret|token|license|Bearer|Basic|:\/\//i

export function redact(text: string): string {
  if (!QUICK.test(text)) return text
  let out = text
  for (const [re, to] of RULES) out = out.replace(re, to)
  return out
}
