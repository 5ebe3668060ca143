/**
 * Support bundles of `medic doctor --bundle F.tar.gz`: a gzip'd tar (written and read with node-tar, imported only
 * when a bundle is made or read) holding, under `medic-bundle/`:
 *
 *   README.txt            what the bundle is and how to read it back (medic doctor --offline F.tar.gz)
 *   manifest.json         what was asked (the plan, without credentials), every HTTP exchange in order (status,
 *                         four headers, the entry with the body, or how the request failed), the sample times, the
 *                         config files and the file-system facts their rules read, where the log summary and tails are
 *   report.json, report.txt   medic's own findings, as --json and as printed
 *   http/NNNN-<url>.txt   each answer's body (/status, /show-cluster, /debug/vars...), secrets redacted
 *   configs/NN-<path>     each config file, secrets replaced by labels (redact.ts)
 *   rule-files/NN-<path>  certificates and license files the config rules read, private keys and licenses removed
 *   logs/summary.json     the log summary (medic logs summarize --json of the same files)
 *   logs/tail-NN-<path>.log   the last lines of each log file, redacted
 *   hh/dir-samples.json   what medic measured in local hh directories (sizes, ages; never queued points)
 *
 * Reading treats the file as hostile: its size, the number and size of entries and the total unpacked size are
 * bounded (a gzip bomb stops at the bound, fed to the parser in small slices), only regular files under
 * `medic-bundle/` with plain relative names are accepted (no `..`, no absolute path, no links or devices, no
 * duplicates), nothing is ever written to disk, and every failure is a MedicError with exit 4 and a message that says
 * what is wrong, never a stack trace. The manifest and the recorded summaries are checked against schemas (zod)
 * with bounds on every list and string before anything uses them. Time is linear in the file's size.
 */
import {createWriteStream, type WriteStream} from 'node:fs'
import {readFile, rename, stat, unlink} from 'node:fs/promises'

import {fileError, inputError, MedicError, usageError} from '../errors.js'
import {shellQuote} from '../util/text.js'

export const BUNDLE_ROOT = 'medic-bundle/'

export interface BundleLimits {
  /** The .tar.gz file itself. */
  fileBytes: number
  /** Every entry's contents added up, unpacked. */
  totalBytes: number
  /** One entry, unpacked. */
  entryBytes: number
  entries: number
}

export const DEFAULT_LIMITS: BundleLimits = {
  fileBytes: 256 * 1024 * 1024,
  totalBytes: 512 * 1024 * 1024,
  entryBytes: 64 * 1024 * 1024,
  entries: 20_000,
}

type Tar = typeof import('tar')

async function loadTar(): Promise<Tar> {
  return import('tar')
}

// ------------------------------------------------------------------------------------------------ writing

/**
 * Writes a bundle as the run goes: each entry is packed and compressed when it is added, so memory holds only what is
 * not written yet. The file appears under its name only when complete (written to NAME.partial, then renamed).
 */
export class BundleWriter {
  private failed: Error | undefined
  private closed = false

  private constructor(readonly path: string, private readonly tar: Tar, private readonly pack: InstanceType<Tar['Pack']>, private readonly out: WriteStream) {
    out.on('error', (err) => {
      this.failed ??= err
    })
    pack.on('error', (err: unknown) => {
      this.failed ??= err instanceof Error ? err : new Error(String(err))
    })
  }

  /** Creates NAME.partial; a folder that does not exist or cannot be written is a usage error (exit 2), before any work. */
  static async open(path: string): Promise<BundleWriter> {
    const tar = await loadTar()
    const out = createWriteStream(`${path}.partial`, {mode: 0o600})
    await new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve())
      out.once('error', (err: NodeJS.ErrnoException) => reject(usageError(`--bundle ${path}: cannot create it (${err.code ?? err.message})`, 'bundle-cannot-write', [
        `give a path in a folder you can write: --bundle ${shellQuote(`/tmp/${path.split('/').pop() || 'medic-bundle.tar.gz'}`)}`,
      ])))
    })
    const pack = new tar.Pack({gzip: true, portable: true})
    pack.pipe(out)
    return new BundleWriter(path, tar, pack, out)
  }

  /** Adds a file under medic-bundle/ (names are medic's own: no checks needed beyond the root). */
  add(name: string, data: string | Buffer): void {
    if (this.closed) return
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
    const header = new this.tar.Header({path: `${BUNDLE_ROOT}${name}`, mode: 0o644, size: buf.length, mtime: new Date(0), type: 'File'})
    const entry = new this.tar.ReadEntry(header)
    this.pack.add(entry)
    entry.end(buf)
  }

  /** Finishes the archive and gives it its name. */
  async finish(): Promise<void> {
    this.closed = true
    const done = new Promise<void>((resolve) => this.out.once('close', () => resolve()))
    this.pack.end()
    await done
    if (this.failed !== undefined) {
      await unlink(`${this.path}.partial`).catch(() => {})
      throw inputError(`--bundle ${this.path}: writing failed (${this.failed.message})`, 'bundle-write-failed', ['check the free space of its folder'])
    }
    await rename(`${this.path}.partial`, this.path)
  }

  /** Drops the partial file (the run failed). */
  async abort(): Promise<void> {
    this.closed = true
    this.pack.destroy?.()
    this.out.destroy()
    await unlink(`${this.path}.partial`).catch(() => {})
  }
}

// ------------------------------------------------------------------------------------------------ reading

const FEED = 16 * 1024

/** Why a file is not a bundle medic can read: exit 4, with what to do. */
function bad(path: string, what: string, code = 'bundle-invalid'): MedicError {
  return inputError(`${path}: ${what}`, code, [
    'a bundle is the .tar.gz that medic doctor --bundle wrote; check that the copy is complete (compare its size with the original)',
    `list what it holds: tar tzvf ${shellQuote(path)} | head`,
  ])
}

/** A name inside the archive medic accepts: under medic-bundle/, relative, plain. Returns it without the root. */
function entryName(raw: string): string | undefined {
  if (typeof raw !== 'string' || raw.length > 300 || !raw.startsWith(BUNDLE_ROOT)) return undefined
  const rest = raw.slice(BUNDLE_ROOT.length)
  if (rest === '' || rest.startsWith('/') || rest.includes('\\') || rest.includes('//')) return undefined
  if (rest.split('/').some((p) => p === '..' || p === '.' || p === '')) return undefined
  if (!/^[\w./@+-]+$/.test(rest)) return undefined
  return rest
}

/**
 * The entries of a bundle's bytes (name without the root -> contents). Synchronous: node-tar's parser and its inflate
 * run as the bytes are written to it. Throws MedicError (exit 4) for anything that is not a sound bundle.
 */
export function parseBundle(bytes: Buffer, tar: Tar, path = 'bundle', limits: BundleLimits = DEFAULT_LIMITS): Map<string, Buffer> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw bad(path, 'not a gzip file (a bundle is a .tar.gz)', 'bundle-not-gzip')
  const entries = new Map<string, Buffer>()
  let failure: MedicError | undefined
  let total = 0
  let open = 0
  let count = 0
  const fail = (e: MedicError) => {
    failure ??= e
  }
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (entry) => {
      open++
      entry.on('end', () => open--)
      if (failure !== undefined) {
        entry.resume()
        return
      }
      if (++count > limits.entries) {
        fail(bad(path, `more than ${limits.entries} entries: not a bundle medic wrote`, 'bundle-too-large'))
        entry.resume()
        return
      }
      if (entry.type === 'Directory') {
        entry.resume()
        return
      }
      const name = entryName(entry.path)
      if (entry.type !== 'File' && entry.type !== 'OldFile') {
        fail(bad(path, `holds ${JSON.stringify(String(entry.type))} entry ${JSON.stringify(String(entry.path).slice(0, 100))}: a bundle holds only regular files`, 'bundle-hostile'))
        entry.resume()
        return
      }
      if (name === undefined) {
        fail(bad(path, `holds an entry named ${JSON.stringify(String(entry.path).slice(0, 100))}: a bundle's files are all under ${BUNDLE_ROOT}, with plain relative names`, 'bundle-hostile'))
        entry.resume()
        return
      }
      if (entries.has(name)) {
        fail(bad(path, `holds ${name} twice`, 'bundle-hostile'))
        entry.resume()
        return
      }
      if ((entry.size ?? 0) > limits.entryBytes) {
        fail(bad(path, `${name} is ${entry.size} bytes, over the ${limits.entryBytes}-byte limit for one entry`, 'bundle-too-large'))
        entry.resume()
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      entry.on('data', (c: Buffer) => {
        size += c.length
        total += c.length
        if (size > limits.entryBytes || total > limits.totalBytes) {
          fail(bad(path, `unpacks to more than ${total > limits.totalBytes ? `${limits.totalBytes} bytes in all` : `${limits.entryBytes} bytes for ${name}`}: not a bundle medic wrote (or a compression bomb)`, 'bundle-too-large'))
          return
        }
        if (failure === undefined) chunks.push(c)
      })
      entry.on('end', () => {
        if (failure === undefined) entries.set(name, Buffer.concat(chunks))
      })
    },
  })
  parser.on('error', (err: Error & {code?: string}) => fail(readError(path, err)))
  parser.on('warn', (code: string, message: string | Error) => fail(readError(path, Object.assign(new Error(typeof message === 'string' ? message : message.message), {code}))))
  try {
    for (let i = 0; i < bytes.length && failure === undefined; i += FEED) parser.write(bytes.subarray(i, i + FEED))
    if (failure === undefined) parser.end()
  } catch (err) {
    fail(readError(path, err as Error & {code?: string}))
  }
  if (failure !== undefined) throw failure
  if (open > 0) throw bad(path, 'the archive is cut short inside an entry: the copy is incomplete', 'bundle-truncated')
  return entries
}

function readError(path: string, err: Error & {code?: string}): MedicError {
  const code = err.code ?? ''
  if (/^Z_|zlib/i.test(code) || /zlib|unexpected end of file|incorrect header check|invalid (?:block|distance|code)/i.test(err.message)) {
    return bad(path, `the gzip data is damaged or cut short (${err.message.replace(/^zlib: /, '').slice(0, 120)})`, 'bundle-bad-gzip')
  }
  if (/truncated/i.test(err.message)) return bad(path, 'the archive is cut short inside an entry: the copy is incomplete', 'bundle-truncated')
  if (code === 'TAR_BAD_ARCHIVE' || code === 'TAR_ENTRY_INVALID' || code === 'TAR_ABORT') {
    return bad(path, `not a valid tar archive inside the gzip (${err.message.replace(/^TAR_\w+: /, '').slice(0, 120)})`, 'bundle-bad-tar')
  }
  return bad(path, `cannot be read as a bundle (${(err.message || String(err)).slice(0, 160)})`)
}

/** Reads a bundle file: its size first, then its entries. Missing or unreadable: exit 4 naming it. */
export async function readBundleFile(path: string, limits: BundleLimits = DEFAULT_LIMITS): Promise<Map<string, Buffer>> {
  let size: number
  try {
    const st = await stat(path)
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
    size = st.size
  } catch (err) {
    throw fileError(path, err)
  }
  if (size > limits.fileBytes) throw bad(path, `${size} bytes, over the ${limits.fileBytes}-byte limit for a bundle`, 'bundle-too-large')
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (err) {
    throw fileError(path, err)
  }
  return parseBundle(bytes, await loadTar(), path, limits)
}

export {loadTar}
