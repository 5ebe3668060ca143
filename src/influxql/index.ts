/**
 * InfluxQL for the dev cluster's data nodes: lexer, parser, syntax tree, bind parameters and influxd's printing.
 * Hand-written: no npm package parses InfluxQL. Everything here is pure (no I/O, no clock).
 */
export * from './ast.js'
export {parseDuration, formatDuration, goDurationString, DurationError} from './duration.js'
export {ParseError} from './errors.js'
export {decodeParams, type BoundValue, type ParamsResult} from './params.js'
export {MAX_DEPTH, Parser, groupByInterval, parseExpr, parseQuery, parseStatement} from './parser.js'
export {compileGoRegex, regexMatch, RegexSyntaxError, translateGoRegex, type GoRegex} from './regex.js'
export {sanitizeQuery} from './sanitize.js'
export {MAX_TIME, MIN_TIME, isTimeString, parseTimeString, rfc3339, rfc3339Nano} from './time.js'
export {T, type Tok, tokenName} from './tokens.js'
export {ConditionError, MATH_FUNCTIONS, U64, conditionExpr, evalBool, evalExpr, floatToInt64, reduce, type EvalOptions, type Lookup, type TimeRange, type Value} from './eval.js'
