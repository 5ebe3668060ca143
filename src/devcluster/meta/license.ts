/**
 * The license check a dev meta node makes at start-up, as influxd-meta does (enterprise-1x.md §5.1: one of
 * `[enterprise] license-key` / `license-path` is required, they exclude each other, and the process aborts start-up
 * without a valid license). Offline and minimal:
 * - both set: start-up aborts;
 * - license-path set: the file must open and be a JSON object (a real offline license is InfluxData's JSON file; the
 *   dev cluster's is `<cluster>/license.json`, written by `medic dev up`): a missing, unreadable or non-JSON file
 *   aborts start-up (`open <path>: no such file or directory`, the error influxd-ctl quotes when a key is put in
 *   license-path);
 * - license-key set: accepted with a warning, since the dev cluster never asks portal.influxdata.com;
 * - neither: accepted with a warning (configs written by hand or before dev licenses), where influxd-meta would stop.
 * Where Enterprise's own start-up wording is not public, the text is the dev cluster's (catalogue entry
 * dev-meta-license-invalid).
 */
import {readFile} from 'node:fs/promises'

import {errnoCode} from '../node/process.js'

export type LicenseCheck =
  | {ok: true; kind: 'path' | 'key' | 'none'; warning?: string}
  | {ok: false; error: string}

const MAX_LICENSE_BYTES = 1 << 20

export async function checkLicense(c: {licenseKey: string; licensePath: string}): Promise<LicenseCheck> {
  const key = c.licenseKey.trim()
  const path = c.licensePath.trim()
  if (key !== '' && path !== '') return {ok: false, error: '[enterprise] license-key and license-path are both set: set exactly one'}
  if (path !== '') {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      const code = errnoCode(err)
      const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : code ?? String(err)
      return {ok: false, error: `${code === 'EISDIR' ? 'read' : 'open'} ${path}: ${why}`}
    }
    if (text.length > MAX_LICENSE_BYTES) return {ok: false, error: `${path}: not a license file (over 1 MiB)`}
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch {
      return {ok: false, error: `${path}: not a license file (not JSON)`}
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return {ok: false, error: `${path}: not a license file (not a JSON object)`}
    return {ok: true, kind: 'path'}
  }
  if (key !== '') return {ok: true, kind: 'key', warning: 'license-key is not verified: a dev meta node never contacts portal.influxdata.com'}
  return {ok: true, kind: 'none', warning: 'no [enterprise] license-key or license-path: influxd-meta would abort start-up; this dev meta node runs without a license'}
}

/** The dev cluster's license file: a JSON object that says what it is (no real license has this shape). */
export function devLicenseText(clusterDir: string): string {
  return `${JSON.stringify({license: 'medic-dev', holder: 'medic dev cluster', cluster: clusterDir, note: 'a stand-in for an offline InfluxDB Enterprise license file, read only by the medic dev cluster\'s nodes'}, null, 2)}\n`
}
