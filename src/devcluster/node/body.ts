/**
 * Request bodies of the dev nodes' HTTP APIs: urlencoded and multipart forms (what `influxd-ctl` and `curl -F` send),
 * and JSON. Every parser here is a single left-to-right pass, so its time is linear in the body whatever a client sends
 * (a 1 MB multipart header once took 18 s in a regular expression that backtracked, on the event loop that also runs
 * Raft); JSON is refused beyond a nesting depth before anything recurses over it. Nothing here throws on bad input: the
 * result says why, and the API answers 400 with that reason.
 *
 * Hand-written because the node's handful of form fields do not justify a multipart library, and Node has none built in
 * for a server. Form values follow Go's Request.FormValue: body fields first, then the query string; the first value
 * of a repeated field wins.
 */
import {DEFAULT_MAX_DEPTH, parseJsonBounded} from '../../util/json.js'
import {redactJson, redactText} from './access-log.js'
import {type Exchange, readBody, sendError} from './http-server.js'

export type Parsed<T> = {ok: true; value: T} | {ok: false; error: string}

const HEX = /^[0-9A-Fa-f]{2}$/

/** An application/x-www-form-urlencoded body. A `%` not followed by two hex digits is refused, as Go refuses it. */
export function parseUrlEncoded(text: string): Parsed<Map<string, string>> {
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', i + 1)) {
    if (!HEX.test(text.slice(i + 1, i + 3))) return {ok: false, error: `invalid URL escape ${JSON.stringify(text.slice(i, i + 3))}`}
  }
  const fields = new Map<string, string>()
  for (const [k, v] of new URLSearchParams(text)) if (!fields.has(k)) fields.set(k, v)
  return {ok: true, value: fields}
}

/**
 * `type/subtype; key=value; key="quoted; value"` → the lower-cased type and the parameters (keys lower-cased, first
 * wins). One pass; quoted values may hold `;` and backslash escapes.
 */
export function parseHeaderParams(header: string): {value: string; params: Map<string, string>} {
  const params = new Map<string, string>()
  const n = header.length
  let i = header.indexOf(';')
  const value = (i === -1 ? header : header.slice(0, i)).trim().toLowerCase()
  if (i === -1) return {value, params}
  i++
  while (i < n) {
    // key
    let k = i
    while (k < n && header[k] !== '=' && header[k] !== ';') k++
    const key = header.slice(i, k).trim().toLowerCase()
    if (k >= n || header[k] === ';') {
      i = k + 1
      continue
    }
    // value: quoted or a token up to the next ';'
    let j = k + 1
    while (j < n && (header[j] === ' ' || header[j] === '\t')) j++
    let v = ''
    if (header[j] === '"') {
      j++
      while (j < n && header[j] !== '"') {
        if (header[j] === '\\' && j + 1 < n) j++
        v += header[j]
        j++
      }
      j++ // the closing quote
      while (j < n && header[j] !== ';') j++
    } else {
      const start = j
      while (j < n && header[j] !== ';') j++
      v = header.slice(start, j).trim()
    }
    if (key !== '' && !params.has(key)) params.set(key, v)
    i = j + 1
  }
  return {value, params}
}

/**
 * The fields of a multipart/form-data body (file parts are read as text fields too: the APIs take no files). Refused:
 * no closing delimiter, a part without a blank line after its headers, a part without a field name.
 */
export function parseMultipart(body: Buffer, boundary: string): Parsed<Map<string, string>> {
  const malformed = {ok: false as const, error: 'malformed multipart body'}
  const text = body.toString('utf8')
  const parts = text.split(`--${boundary}`)
  if (parts.length < 3) return malformed
  const fields = new Map<string, string>()
  for (let p = 1; p < parts.length; p++) {
    const raw = parts[p]
    if (raw.startsWith('--')) return {ok: true, value: fields} // the closing delimiter
    const part = raw.startsWith('\r\n') ? raw.slice(2) : raw
    const headerEnd = part.indexOf('\r\n\r\n')
    if (headerEnd === -1) return malformed
    let name: string | undefined
    for (const line of part.slice(0, headerEnd).split('\r\n')) {
      const colon = line.indexOf(':')
      if (colon === -1 || line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue
      name = parseHeaderParams(line.slice(colon + 1)).params.get('name')
      break
    }
    if (name === undefined) return {ok: false, error: 'multipart part without a field name'}
    let value = part.slice(headerEnd + 4)
    if (value.endsWith('\r\n')) value = value.slice(0, -2)
    if (!fields.has(name)) fields.set(name, value)
  }
  return malformed
}

/** JSON from a client: refused when it is not JSON or nests deeper than `maxDepth`. */
export function parseJsonBody(text: string, maxDepth = DEFAULT_MAX_DEPTH): Parsed<unknown> {
  const r = parseJsonBounded(text, {maxDepth})
  return r.ok ? {ok: true, value: r.value} : {ok: false, error: `malformed JSON body: ${r.reason}`}
}

/** Form values the way Go's Request.FormValue reads them: body fields first, then the query string. */
export class Form {
  constructor(private readonly body: ReadonlyMap<string, string>, private readonly query: URLSearchParams) {}

  get(name: string): string | undefined {
    return this.body.get(name) ?? this.query.get(name) ?? undefined
  }
}

/**
 * The form of a request (urlencoded or multipart body, plus the query string), under `maxBytes`. Resolves undefined
 * when the answer is already given (413, or 400 naming what is malformed). Other content types carry no form fields
 * (Go's ParseForm ignores them); the query may still have them.
 */
export async function readForm(ex: Exchange, maxBytes: number): Promise<Form | undefined> {
  const body = await readBody(ex, maxBytes)
  if (body === undefined) return undefined
  const header = String(ex.req.headers['content-type'] ?? '')
  const {value: type, params} = parseHeaderParams(header)
  let fields = new Map<string, string>()
  if (type === 'application/x-www-form-urlencoded' || (type === '' && body.length > 0)) {
    const text = body.toString('utf8')
    ex.command = redactText(text)
    const parsed = parseUrlEncoded(text)
    if (!parsed.ok) {
      sendError(ex, 400, parsed.error)
      return undefined
    }
    fields = parsed.value
  } else if (type === 'multipart/form-data') {
    const boundary = params.get('boundary')
    if (boundary === undefined || boundary === '') {
      sendError(ex, 400, 'multipart body without a boundary')
      return undefined
    }
    const parsed = parseMultipart(body, boundary)
    if (!parsed.ok) {
      sendError(ex, 400, parsed.error)
      return undefined
    }
    fields = parsed.value
    ex.command = redactText(new URLSearchParams([...fields]).toString())
  }
  return new Form(fields, ex.url.searchParams)
}

/** A JSON body under `maxBytes`; undefined when the answer (413, 400) is already given. */
export async function readJson(ex: Exchange, maxBytes: number): Promise<{value: unknown} | undefined> {
  const body = await readBody(ex, maxBytes)
  if (body === undefined) return undefined
  const text = body.toString('utf8')
  const parsed = parseJsonBody(text)
  if (!parsed.ok) {
    ex.command = redactText(text)
    sendError(ex, 400, parsed.error)
    return undefined
  }
  ex.command = JSON.stringify(redactJson(parsed.value)).slice(0, 2048)
  return {value: parsed.value}
}
