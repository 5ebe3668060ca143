/**
 * The tokens of InfluxQL 1.x, in the order influxd's parser lists them: the order matters because every
 * "expected A, B, C" in a parse error names keywords in the order the grammar registered them, and the keyword table
 * decides which identifiers must be quoted when a statement is printed back (SHOW CONTINUOUS QUERIES, warnings).
 *
 * Facts from github.com/influxdata/influxql v1.1.0 (the package the Debian build of influxd 1.6.7 uses); the code is
 * our own.
 */

export const T = {
  ILLEGAL: 0, EOF: 1, WS: 2, COMMENT: 3,
  IDENT: 5, BOUNDPARAM: 6, NUMBER: 7, INTEGER: 8, DURATIONVAL: 9, STRING: 10, BADSTRING: 11, BADESCAPE: 12,
  TRUE: 13, FALSE: 14, REGEX: 15, BADREGEX: 16,
  ADD: 19, SUB: 20, MUL: 21, DIV: 22, MOD: 23, BITWISE_AND: 24, BITWISE_OR: 25, BITWISE_XOR: 26,
  AND: 27, OR: 28,
  EQ: 29, NEQ: 30, EQREGEX: 31, NEQREGEX: 32, LT: 33, LTE: 34, GT: 35, GTE: 36,
  LPAREN: 38, RPAREN: 39, COMMA: 40, COLON: 41, DOUBLECOLON: 42, SEMICOLON: 43, DOT: 44,
  // Keywords, alphabetical as in influxql's token list (the numbering only has to be stable).
  ALL: 50, ALTER: 51, ANALYZE: 52, ANY: 53, AS: 54, ASC: 55, BEGIN: 56, BY: 57, CARDINALITY: 58, CREATE: 59,
  CONTINUOUS: 60, DATABASE: 61, DATABASES: 62, DEFAULT: 63, DELETE: 64, DESC: 65, DESTINATIONS: 66, DIAGNOSTICS: 67,
  DISTINCT: 68, DROP: 69, DURATION: 70, END: 71, EVERY: 72, EXACT: 73, EXPLAIN: 74, FIELD: 75, FOR: 76, FROM: 77,
  GRANT: 78, GRANTS: 79, GROUP: 80, GROUPS: 81, IN: 82, INF: 83, INSERT: 84, INTO: 85, KEY: 86, KEYS: 87, KILL: 88,
  LIMIT: 89, MEASUREMENT: 90, MEASUREMENTS: 91, NAME: 92, OFFSET: 93, ON: 94, ORDER: 95, PASSWORD: 96, POLICY: 97,
  POLICIES: 98, PRIVILEGES: 99, QUERIES: 100, QUERY: 101, READ: 102, REPLICATION: 103, RESAMPLE: 104, RETENTION: 105,
  REVOKE: 106, SELECT: 107, SERIES: 108, SET: 109, SHOW: 110, SHARD: 111, SHARDS: 112, SLIMIT: 113, SOFFSET: 114,
  STATS: 115, SUBSCRIPTION: 116, SUBSCRIPTIONS: 117, TAG: 118, TO: 119, USER: 120, USERS: 121, VALUES: 122,
  WHERE: 123, WITH: 124, WRITE: 125,
} as const

export type Tok = (typeof T)[keyof typeof T]

const OPERATOR_FIRST = T.ADD
const OPERATOR_LAST = T.GTE
const KEYWORD_FIRST = T.ALL
const KEYWORD_LAST = T.WRITE

const NAMES = new Map<number, string>([
  [T.ILLEGAL, 'ILLEGAL'], [T.EOF, 'EOF'], [T.WS, 'WS'],
  [T.IDENT, 'IDENT'], [T.NUMBER, 'NUMBER'], [T.DURATIONVAL, 'DURATIONVAL'], [T.STRING, 'STRING'],
  [T.BADSTRING, 'BADSTRING'], [T.BADESCAPE, 'BADESCAPE'], [T.TRUE, 'TRUE'], [T.FALSE, 'FALSE'], [T.REGEX, 'REGEX'],
  [T.ADD, '+'], [T.SUB, '-'], [T.MUL, '*'], [T.DIV, '/'], [T.MOD, '%'], [T.BITWISE_AND, '&'], [T.BITWISE_OR, '|'],
  [T.BITWISE_XOR, '^'], [T.AND, 'AND'], [T.OR, 'OR'],
  [T.EQ, '='], [T.NEQ, '!='], [T.EQREGEX, '=~'], [T.NEQREGEX, '!~'], [T.LT, '<'], [T.LTE, '<='], [T.GT, '>'], [T.GTE, '>='],
  [T.LPAREN, '('], [T.RPAREN, ')'], [T.COMMA, ','], [T.COLON, ':'], [T.DOUBLECOLON, '::'], [T.SEMICOLON, ';'], [T.DOT, '.'],
])

const KEYWORDS = new Map<string, Tok>()
for (const [name, tok] of Object.entries(T)) {
  if (tok >= KEYWORD_FIRST && tok <= KEYWORD_LAST) {
    NAMES.set(tok, name)
    KEYWORDS.set(name.toLowerCase(), tok)
  }
}
KEYWORDS.set('and', T.AND)
KEYWORDS.set('or', T.OR)
KEYWORDS.set('true', T.TRUE)
KEYWORDS.set('false', T.FALSE)

/** The name influxd prints for a token ("" for the few it never names, such as BOUNDPARAM). */
export function tokenName(tok: Tok): string {
  return NAMES.get(tok) ?? ''
}

/** A keyword's token, or IDENT. Case-insensitive, as influxd's lookup. */
export function lookup(ident: string): Tok {
  return KEYWORDS.get(ident.toLowerCase()) ?? T.IDENT
}

export function isOperator(tok: Tok): boolean {
  return tok >= OPERATOR_FIRST && tok <= OPERATOR_LAST
}

export function precedence(tok: Tok): number {
  switch (tok) {
    case T.OR: return 1
    case T.AND: return 2
    case T.EQ: case T.NEQ: case T.EQREGEX: case T.NEQREGEX: case T.LT: case T.LTE: case T.GT: case T.GTE: return 3
    case T.ADD: case T.SUB: case T.BITWISE_OR: case T.BITWISE_XOR: return 4
    case T.MUL: case T.DIV: case T.MOD: case T.BITWISE_AND: return 5
    default: return 0
  }
}

/** What a parse error shows for a token: its literal text when it has one, else its name. */
export function tokstr(tok: Tok, lit: string): string {
  return lit !== '' ? lit : tokenName(tok)
}
