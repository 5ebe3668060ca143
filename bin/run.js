#!/bin/sh
':' //; exec node -- "$0" "$@"
// Production entry point: runs the compiled commands from dist/ using the shipped oclif.manifest.json.
// The two lines above start Node with `--` before this file, so that Node does not read the user's arguments as its
// own options: Node 20 and 24 claim any --env-file argument, anywhere on the command line, and exit 9 before medic
// runs (nodejs/node#54232). For sh they are `exec node -- <this file> <args>`; for JavaScript, a string and a comment.
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
