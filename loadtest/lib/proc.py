"""Reading a process's memory from /proc, for the scripts that watch the gateway."""


def rss_kib(pid):
    """Resident set size of `pid` in KiB (0 if unknown)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
