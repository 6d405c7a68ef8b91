#!/bin/sh
# An agent that will not go quietly: it ignores SIGTERM, and so does the daemon it leaves in a
# session of its own (setsid). Both carry $1 on their command line, to be found by it.
trap '' TERM
setsid sh -c 'trap "" TERM; sleep 300; :' "$1" &
sleep 300
:
