/**
 * The shapes of `medic doctor`: what it is asked to look at (DoctorPlan), the findings it reports, the verdict per
 * area, and the report itself (the JSON output, less the envelope the base command adds). No oclif, no I/O.
 */
import type {OverallVerdict} from '../util/outcome.js'

/** The five things doctor looks at, in the order they are reported. */
export const AREAS = ['meta', 'data', 'configs', 'hh', 'logs'] as const
export type Area = (typeof AREAS)[number]

export type Severity = 'critical' | 'warning' | 'info'

export interface DoctorFinding {
  /** Rank in the report, 1 first (worst, and among equals the likelier cause). */
  rank: number
  /**
   * Stable id: the id the same check has in the command it comes from (`medic status` problem ids, `config check`
   * rule ids, catalogue entry ids, `hh watch` queue verdicts), or doctor's own (write-errors, hh-pending...).
   */
  id: string
  area: Area
  severity: Severity
  /** The node, file or queue concerned (an address, a config file, "data-1:8086 -> node 5"); null for the cluster. */
  node: string | null
  /** One sentence: what is wrong. */
  title: string
  /** What medic saw that shows it, one fact per line. */
  evidence: string[]
  /** The next command, ready to paste (values from outside shell-quoted); null when none can be given safely. */
  next: string | null
  /** Where `next` must run when it is not this machine ("on meta-1:8091"). */
  nextOn?: string
  /** Other things to try, in words. */
  hints: string[]
  /**
   * Ranks of the findings that explain this one (a data node down, for a queue towards it): it is ranked after them
   * (rank.ts). Absent when nothing explains it.
   */
  causedBy?: number[]
  /** Ranks of the findings this one explains: it is ranked before them, however severe they are. */
  explains?: number[]
}

/**
 * What a finding is about, for linking causes to what they cause (rank.ts). Set by the areas, never printed: the
 * report carries the result (causedBy, explains, one line of evidence).
 */
export interface Links {
  /** This finding is a node that does not answer: it can explain others (a data node: by id and address). */
  down?: {role: 'data' | 'meta'; address: string; id?: string}
  /**
   * Data nodes this finding is about as the far end: a queue towards them (ids, addresses), log lines that name them
   * (every id the lines give, or an address in `text`, the example line); `why` says so in the evidence.
   */
  towards?: {ids: string[]; addresses: string[]; text?: string; why: string}
  /** Writes from this node to the other owners of its shards fail or go to hinted handoff. */
  ownerWrites?: boolean
  /** The meta nodes' quorum or leader. */
  quorum?: boolean
  /** Log lines that say a node could not be reached (connection refused, a delivery to retry): over once all answer. */
  unreachable?: boolean
}

export interface AreaReport {
  area: Area
  /** ok, warning, critical; unknown when it could not be checked (in part or at all); skipped only with --skip. */
  verdict: OverallVerdict | 'skipped'
  /** Things checked in this area (nodes, files, queues, log inputs). */
  checked: number
  /** Things it set out to check and could not. */
  unchecked: number
  /** One line for the table. */
  summary: string
  /** What could not be checked, and why, one line each. */
  notChecked: string[]
}

/** What doctor is asked to look at (the command line, or a bundle's manifest). */
export interface DoctorPlan {
  /** Meta node addresses (host[:8091] or URLs). */
  meta: string[]
  /** Config files (directories already expanded). */
  configs: string[]
  /** Local hinted-handoff directories. */
  hhDirs: string[]
  /** Data nodes to read hinted handoff from (host[:8086] or URLs); empty: the data nodes the cluster lists. */
  hhUrls: string[]
  /** Log files (directories already expanded). */
  logs: string[]
  /** --since, ms since the epoch. */
  sinceMs?: number
  /** Areas the operator left out on purpose (--skip). */
  skip: Area[]
  /** /debug/vars samples (2 or more give rates and verdicts) and the time between them. */
  samples: number
  intervalMs: number
  /** Deadline of the probes (--timeout) and of each request (--http-timeout). */
  timeoutMs: number
  httpTimeoutMs: number
  /** [meta] lease-duration, for judging CQ lease denials in logs. */
  leaseDurationMs: number
  /** --tz of the logs. */
  tz: string
}

/** How the operator reaches the nodes, as far as suggested commands need it (never a secret). */
export interface Access {
  username?: string
  password: boolean
  jwt: boolean
  ca?: string
  insecure: boolean
}

export interface ClusterView {
  leader: string | null
  quorum: string | null
  metaNodes: number
  dataNodes: number
}

export interface DoctorReport {
  verdict: OverallVerdict
  /** 0 ok, 3 problems found, 4 something could not be checked and nothing worse was found. */
  exitCode: 0 | 3 | 4
  /** False when some area, or part of one, could not be checked. */
  complete: boolean
  /** Where the evidence came from: live nodes and files, or a support bundle read back. */
  source: {kind: 'live'} | {kind: 'bundle'; path: string; createdAt: string; medicVersion: string}
  /** When the evidence was gathered (for a bundle: when it was made). */
  generatedAt: string
  plan: {
    meta: string[]; configs: string[]; hhDirs: string[]; hhUrls: string[]; logs: string[]; since: string | null; skip: Area[]
    samples: number; intervalMs: number
  }
  cluster: ClusterView
  counts: {critical: number; warning: number; info: number}
  areas: AreaReport[]
  /** Causes before what they explain; then worst first; among findings of one severity, the area likelier to hold the cause first. */
  findings: DoctorFinding[]
}
