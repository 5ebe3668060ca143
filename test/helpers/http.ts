// One HTTP request from a test, over node:http with no keep-alive (nothing lingers after a test): every status is
// returned as it is, redirects are not followed, and a connection that fails (a node that is dead or paused) gives
// status 0 with the reason instead of throwing, so polling loops can simply retry.
import {type IncomingHttpHeaders, request} from 'node:http'

export interface HttpReply {
  /** 0 when no answer arrived (refused, reset, timed out). */
  status: number
  headers: IncomingHttpHeaders
  text: string
  /** The body parsed as JSON, or undefined. */
  json: any
  location?: string
  /** Why no answer arrived. */
  error?: string
}

export interface HttpOptions {
  body?: string | Buffer
  headers?: Record<string, string>
  /** Default 5 s. */
  timeoutMs?: number
  signal?: AbortSignal
}

/** `method url`; see the file header. */
export function httpRequest(method: string, url: string, opts: HttpOptions = {}): Promise<HttpReply> {
  return new Promise((resolve) => {
    const failed = (error: string) => resolve({status: 0, headers: {}, text: '', json: undefined, error})
    const req = request(url, {method, headers: opts.headers, timeout: opts.timeoutMs ?? 5_000, agent: false, signal: opts.signal}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', (e) => failed(e.message))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          json = undefined
        }
        resolve({status: res.statusCode ?? 0, headers: res.headers, text, json, location: res.headers.location})
      })
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (e) => failed(e.message))
    req.end(opts.body)
  })
}

/** `method http://addr path` for a node known by its host:port. */
export function httpCall(addr: string, method: string, path: string, body?: string, headers: Record<string, string> = {}, timeoutMs = 5_000): Promise<HttpReply> {
  return httpRequest(method, `http://${addr}${path}`, {body, headers, timeoutMs})
}
