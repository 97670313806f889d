#!/usr/bin/python3
"""Live migration and savevm of a launcher VM over QMP (QEMU's machine protocol).

usage: qmp.py migrate SRC_QMP_SOCKET DEST_URI [--timeout S] [--json FILE]
       qmp.py savevm SRC_QMP_SOCKET SNAPSHOT_NAME [--timeout S] [--json FILE]

Connects to the source QEMU's QMP socket, lifts the migration bandwidth
limit (QEMU's default, 128 MiB/s, would make every migration of a small
guest take seconds), starts `migrate` to DEST_URI (the destination QEMU was
started with `-incoming DEST_URI`), polls `query-migrate` until it ends,
then quits the source. Prints the figures QMP reports (total time, downtime,
bytes transferred; with --json also setup time and RAM size, as a JSON line
appended to FILE) and exits 0; when the migration fails or is refused,
prints QMP's reason on stderr and exits 1. savevm saves the running VM as
an internal snapshot of its qcow2 disk and quits it.
"""
import argparse
import json
import socket
import sys
import time

POLL_S = 0.02
UNLIMITED_BANDWIDTH = 64 << 30  # bytes per second: "as fast as it goes"


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.reader = self.sock.makefile("r", encoding="utf-8")
        greeting = self._read()
        if "QMP" not in greeting:
            raise QMPError(f"{path}: no QMP greeting: {greeting}")
        self.execute("qmp_capabilities")

    def _read(self):
        line = self.reader.readline()
        if not line:
            raise QMPError("QEMU closed the QMP connection")
        return json.loads(line)

    def execute(self, command, **arguments):
        request = {"execute": command}
        if arguments:
            request["arguments"] = arguments
        self.sock.sendall((json.dumps(request) + "\n").encode())
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                raise QMPError(reply["error"].get("desc", str(reply["error"])))
            return reply.get("return")


def migrate(src_path, dest_uri, timeout):
    qmp = QMP(src_path, timeout)
    qmp.execute("migrate-set-parameters", **{"max-bandwidth": UNLIMITED_BANDWIDTH})
    qmp.execute("migrate", uri=dest_uri)
    deadline = time.monotonic() + timeout
    while True:
        info = qmp.execute("query-migrate")
        status = info.get("status")
        if status == "completed":
            break
        if status in ("failed", "cancelled"):
            raise QMPError(info.get("error-desc", f"migration {status}"))
        if time.monotonic() > deadline:
            qmp.execute("migrate_cancel")
            raise QMPError(f"migration did not complete within {timeout} s (status {status})")
        time.sleep(POLL_S)
    ram = info.get("ram", {})
    figures = {
        "total_time_ms": info.get("total-time"),
        "downtime_ms": info.get("downtime"),
        "setup_time_ms": info.get("setup-time"),
        "transferred_bytes": ram.get("transferred"),
        "ram_total_bytes": ram.get("total"),
    }
    try:
        qmp.execute("quit")
    except QMPError:
        pass  # the source closing the connection as it quits is the point
    return figures


def savevm(src_path, name, timeout):
    """savevm NAME (HMP: QMP's snapshot-save is a job API) on the paused
    source, then quit; the next QEMU resumes with -loadvm NAME."""
    qmp = QMP(src_path, timeout)
    start = time.monotonic()
    output = qmp.execute("human-monitor-command", **{"command-line": f"savevm {name}"})
    elapsed_ms = round((time.monotonic() - start) * 1000)
    if output and output.strip():
        raise QMPError(output.strip())
    try:
        qmp.execute("quit")
    except QMPError:
        pass
    return {"savevm_ms": elapsed_ms}


def summary(figures):
    if "savevm_ms" in figures:
        return f"savevm {figures['savevm_ms']} ms"
    mib = (figures["transferred_bytes"] or 0) / 2**20
    return (f"total {figures['total_time_ms']} ms, downtime {figures['downtime_ms']} ms, "
            f"{mib:.1f} MiB transferred")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["migrate", "savevm"])
    parser.add_argument("source_qmp")
    parser.add_argument("dest_uri", help="migrate: the destination's -incoming URI; "
                        "savevm: the snapshot's name")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--json", help="append the figures to this file, a JSON object a line")
    args = parser.parse_args(argv[1:])
    try:
        action = migrate if args.action == "migrate" else savevm
        figures = action(args.source_qmp, args.dest_uri, args.timeout)
    except (OSError, QMPError, ValueError) as error:
        print(f"qmp.py: {error}", file=sys.stderr)
        return 1
    if args.json:
        with open(args.json, "a", encoding="utf-8") as out:
            out.write(json.dumps(figures) + "\n")
    print(summary(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
