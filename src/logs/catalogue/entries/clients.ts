/**
 * Catalogue entries for what writers of data (Telegraf, client libraries, scripts) log when a write to the cluster
 * fails and the line carries no server error to explain: a bare status code, or "no server could be written to".
 * Lines that do carry the server's error (`received error partial write: ...`, `InfluxDBClientError: 400:
 * {"error":...}`, an X-Influxdb-Error header) are explained by that error's entry instead (see embedded.ts).
 */
import type {CatalogueEntry} from '../../types.js'

const DOC_API = 'enterprise_influxdb/v1/tools/api/'
const DOC_TELEGRAF = 'telegraf/v1/output-plugins/influxdb/'

export const clientEntries: CatalogueEntry[] = [
  {
    id: 'client-write-status',
    title: 'A client reports an unexpected HTTP status for a write, without the server\'s error text',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    fallback: true,
    match: [
      {keywords: ['Response Error: Status Code'], pattern: /Response Error: Status Code \[(?<httpStatus>\d{3})\], expected \[(?<expected>\d{3})\]/},
      {keywords: ['write failed: '], pattern: /\bwrite failed: (?<httpStatus>[1-5]\d\d): (?<reason>[A-Z][A-Za-z ]{2,40})$/},
    ],
    cause:
      'The client got a status other than 204 from /write and logged only the code. 5xx: the data node failed the write (see its log at that time for the error: timeout, partial write, hinted handoff); 503 before any InfluxDB error: a load balancer or proxy had no healthy node; 405 or 404: the URL is not the /write endpoint of a data node (wrong port, proxy path); 200: something that is not InfluxDB answered.',
    impact: 'The points of that request may be lost unless the client buffers and retries them.',
    check: ['What does the data node log for the same request (its access log line with the same time and status, and an `[500] - "..."` line on 1.4+)?', 'Does the URL point at a data node (8086) or at a proxy?'],
    commands: ['medic logs summarize /var/log/influxdb/influxdb.log --min warning', "curl -si -XPOST 'http://<data-node>:8086/write?db=<db>' --data-binary 'medic_probe value=1'"],
    configKeys: ['urls (Telegraf [[outputs.influxdb]])', 'timeout (Telegraf)'],
    client: 'Log the response body: for 4xx and 5xx InfluxDB explains the failure in `{"error":"..."}` and in the X-Influxdb-Error header. Do not retry 4xx answers; retry 5xx with back-off, except `partial write` and `hinted handoff queue not empty` (the points are already stored or queued).',
    docs: [DOC_API, DOC_TELEGRAF],
    examples: [
      {line: '2017-05-02T12:00:00Z E! InfluxDB Output Error: Response Error: Status Code [500], expected [204], [<nil>]', values: {httpStatus: 500, expected: 204}},
      {line: 'InfluxDB write failed: 502: Bad Gateway', values: {httpStatus: 502}},
    ],
  },
  {
    id: 'client-no-server-reachable',
    title: 'A client could write to none of its InfluxDB URLs',
    verdict: 'warning',
    category: 'client',
    where: 'client',
    fallback: true,
    match: [
      {keywords: ['Could not write to any InfluxDB server in cluster'], pattern: /Could not write to any InfluxDB server in cluster/},
      {keywords: ['could not write any address'], pattern: /could not write any address/},
    ],
    cause:
      'Telegraf tried every URL of its influxdb output and each write failed. The line before it (per URL) says why: a refused connection, a timeout, or an error the server returned.',
    impact: 'This batch stays in Telegraf\'s buffer (`metric_buffer_limit`); when the buffer is full, the oldest metrics are dropped.',
    check: ['Read the error logged just before for each URL: `When writing to [url]: ...`.', 'Is any data node reachable from this host on port 8086?'],
    commands: ["journalctl -u telegraf --since '10 min ago' | grep -E 'When writing to|Output Error'", 'curl -si http://<data-node>:8086/ping'],
    configKeys: ['urls (Telegraf [[outputs.influxdb]])', 'metric_buffer_limit (Telegraf [agent])'],
    client: 'List several data nodes (or a load balancer) in `urls`, and size `metric_buffer_limit` for the longest outage you want to ride out.',
    docs: [DOC_TELEGRAF],
    examples: [{line: '2020-12-10T11:00:00Z E! [agent] Error writing to outputs.influxdb: could not write any address'}],
  },
]
