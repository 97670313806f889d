#!/usr/bin/python3
"""The guest's serial console, as the launcher shows it.

usage: console-filter.py STATUS_FILE CONSOLE_LOG VERBOSE STARTED_FILE

Reads the console on stdin line by line as the guest prints it, keeps all of
it in CONSOLE_LOG, prints the command's output (between the MYPCI-BEGIN and
MYPCI-EXIT:N markers that the guest's /init prints; everything with VERBOSE=1)
and flushes every line at once, so output streams rather than arriving in
blocks. STARTED_FILE appears when the command starts (the boot watchdog stops
there); STATUS_FILE gets the command's exit status.
"""
import re
import sys

EXIT_MARKER = re.compile(rb"^MYPCI-EXIT:([0-9]+)$")
BEGIN_MARKER = b"MYPCI-BEGIN"


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    status_file, console_log, verbose, started_file = argv[1:]
    verbose = verbose == "1"
    out = sys.stdout.buffer
    running = False
    with open(console_log, "wb", buffering=0) as log:
        for raw in iter(sys.stdin.buffer.readline, b""):
            line = raw.rstrip(b"\r\n").replace(b"\r", b"")
            log.write(line + b"\n")
            match = EXIT_MARKER.match(line)
            if match:
                with open(status_file, "wb") as f:
                    f.write(match.group(1) + b"\n")
                running = False
                continue
            if line == BEGIN_MARKER:
                open(started_file, "wb").close()
                running = True
                continue
            if running or verbose:
                out.write(line + b"\n")
                out.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:
        sys.exit(0)
