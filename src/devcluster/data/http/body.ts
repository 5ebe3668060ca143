/**
 * Request bodies of the data node's HTTP API, read the way influxd 1.6's handlers read them but never without a bound:
 *
 *  - /write: at most `[http] max-body-size` bytes (0 = no limit). A declared Content-Length over the limit, or more
 *    bytes than it, is answered 413 `Request Entity Too Large` by the caller; the rest is never buffered and the
 *    connection is closed once the answer is out. `Content-Encoding: gzip` (exactly that value, as influxd compares it)
 *    is decompressed as it arrives, and the decompressed size is held to the same limit: influxd 1.6 applies the limit
 *    to the compressed bytes only, so a small gzip bomb exhausts its memory; here it gets the same 413.
 *  - /query forms: at most 10 MiB of urlencoded or multipart body (Go's form parser's own limit for urlencoded bodies);
 *    a larger body is ignored, as Go's FormValue ignores a form it could not parse.
 *
 * Errors carry influxd's texts where the client reads them: `unexpected EOF` for a gzip stream cut short (or a body
 * shorter than a gzip header), `gzip: invalid header`, `gzip: invalid checksum`, `flate: corrupt input`.
 */
import type {IncomingMessage} from 'node:http'
import {createGunzip, type Gunzip} from 'node:zlib'

export type BodyResult =
  | {ok: true; body: Buffer}
  /** 413: the body (or what it decompresses to) is over the limit. */
  | {ok: false; status: 413}
  /** 400 with influxd's text (a damaged gzip stream). */
  | {ok: false; status: 400; error: string}
  /** The client went away or the connection failed: nobody to answer. */
  | {ok: false; status: 0}

/** The text Go's gzip/flate readers fail with for what zlib reports. */
function gzipErrorText(err: Error & {code?: string}): string {
  const m = err.message
  if (err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(m)) return 'unexpected EOF'
  if (/incorrect header check|unknown compression method/i.test(m)) return 'gzip: invalid header'
  if (/incorrect data check|incorrect length check/i.test(m)) return 'gzip: invalid checksum'
  return 'flate: corrupt input'
}

/**
 * Reads a request body, decompressing gzip when asked, with `limit` bytes (0 = none) on both the bytes received and
 * the bytes they decompress to. Never buffers more than `limit` bytes.
 */
export function readRequestBody(req: IncomingMessage, limit: number, gzip: boolean): Promise<BodyResult> {
  const bounded = limit > 0
  const declared = Number(req.headers['content-length'])
  if (bounded && Number.isFinite(declared) && declared > limit) return Promise.resolve({ok: false, status: 413})
  return new Promise<BodyResult>((resolve) => {
    const chunks: Buffer[] = []
    let received = 0
    let kept = 0
    let settled = false
    let gunzip: Gunzip | undefined
    const finish = (r: BodyResult) => {
      if (settled) return
      settled = true
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onGone)
      req.off('close', onClose)
      if (!r.ok) req.pause()
      if (gunzip !== undefined) {
        gunzip.removeAllListeners('data')
        gunzip.on('error', () => {})
        gunzip.destroy()
      }
      resolve(r)
    }
    const keep = (chunk: Buffer) => {
      kept += chunk.length
      if (bounded && kept > limit) return finish({ok: false, status: 413})
      chunks.push(chunk)
    }
    if (gzip) {
      gunzip = createGunzip()
      gunzip.on('data', keep)
      gunzip.on('end', () => finish({ok: true, body: Buffer.concat(chunks)}))
      gunzip.on('error', (err: Error & {code?: string}) => finish({ok: false, status: 400, error: gzipErrorText(err)}))
    }
    let header: Buffer | undefined = gzip ? Buffer.alloc(0) : undefined
    const onData = (chunk: Buffer) => {
      received += chunk.length
      if (bounded && received > limit) return finish({ok: false, status: 413})
      if (gunzip !== undefined) {
        // Go reads the 10-byte gzip header before looking at it: a shorter body is `unexpected EOF`, whatever it holds.
        if (header !== undefined) {
          header = Buffer.concat([header, chunk])
          if (header.length < 10) return
          chunk = header
          header = undefined
        }
        // Back-pressure: a highly compressible stream is inflated in step with what arrives.
        if (!gunzip.write(chunk)) {
          req.pause()
          gunzip.once('drain', () => {
            if (!settled) req.resume()
          })
        }
      } else {
        keep(chunk)
      }
    }
    const onEnd = () => {
      if (gunzip !== undefined) {
        // Go's gzip.NewReader needs the 10-byte header before anything: none is `EOF`, a part of one `unexpected EOF`.
        if (received === 0) return finish({ok: false, status: 400, error: 'EOF'})
        if (header !== undefined) return finish({ok: false, status: 400, error: 'unexpected EOF'})
        gunzip.end()
        return
      }
      finish({ok: true, body: Buffer.concat(chunks)})
    }
    const onGone = () => finish({ok: false, status: 0})
    const onClose = () => {
      if (!req.complete) finish({ok: false, status: 0})
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onGone)
    req.on('close', onClose)
  })
}

/** Go's limit on an urlencoded form body (net/http maxFormSize); multipart forms get the same bound here. */
export const MAX_FORM_BYTES = 10 << 20

/**
 * The form fields of a /query request, as Go's Request.FormValue sees them: the body's fields (urlencoded or
 * multipart, POST only) first, then the URL's. Multipart file parts named like a field are returned separately
 * (influxd reads `q` from a file part when there is no `q` field). A body over MAX_FORM_BYTES is ignored (`tooLarge`).
 */
export interface QueryForm {
  get(name: string): string
  /** The content of the first multipart file part with this name. */
  file(name: string): string | undefined
  tooLarge: boolean
}

export async function readQueryForm(req: IncomingMessage, url: URL): Promise<QueryForm | undefined> {
  const fields = new Map<string, string>()
  const files = new Map<string, string>()
  let tooLarge = false
  const type = String(req.headers['content-type'] ?? '').toLowerCase()
  const isUrlencoded = type.startsWith('application/x-www-form-urlencoded')
  const isMultipart = type.startsWith('multipart/form-data')
  if (req.method === 'POST' && (isUrlencoded || isMultipart)) {
    const r = await readRequestBody(req, MAX_FORM_BYTES, false)
    if (!r.ok && r.status === 0) return undefined
    if (!r.ok) {
      tooLarge = true
    } else if (isUrlencoded) {
      for (const [k, v] of new URLSearchParams(r.body.toString('utf8'))) if (!fields.has(k)) fields.set(k, v)
    } else {
      try {
        // The platform's fetch implementation parses multipart bodies (fields and files) for us.
        const data = await new Response(r.body, {headers: {'content-type': String(req.headers['content-type'])}}).formData()
        for (const [k, v] of data) {
          if (typeof v === 'string') {
            if (!fields.has(k)) fields.set(k, v)
          } else if (!files.has(k)) {
            files.set(k, await v.text())
          }
        }
      } catch {
        // Go ignores a multipart body it cannot parse (FormValue swallows the error).
      }
    }
  }
  for (const [k, v] of url.searchParams) if (!fields.has(k)) fields.set(k, v)
  return {get: (name) => fields.get(name) ?? '', file: (name) => files.get(name), tooLarge}
}
