#!/usr/bin/env bash
# A one-node Slurm cluster in a folder of its own, for trying a job array (and for tests/test_slurm.py).
#
#   eval "$(scripts/slurm_local.sh start DIR [--owner PID])"   # prints: export SLURM_CONF=DIR/slurm/slurm.conf
#   sbatch --array=0-2 job.sh; squeue; ...
#   scripts/slurm_local.sh stop DIR
#
# start: checks that munge and Slurm are installed (it installs nothing: it names the Debian packages when they
# are missing and exits with status 3), then starts its own munged (own key, socket, pid, log and seed files), one
# slurmctld and one slurmd (NodeName = `hostname -s`, CPUs = `nproc` (at least 2), RealMemory from /proc/meminfo, one default
# partition, free TCP ports), all with their state, spool, log and pid files under DIR, and waits until `sinfo`
# shows the node idle. Nothing outside DIR is written: a system munge key, a running munged or an installed Slurm
# are left alone. If start fails half-way, it stops what it had started. With --owner PID a watcher stops the cluster as soon as process PID is gone
# (a test runner that is killed leaves nothing behind).
# stop: cancels the cluster's jobs, ends the processes it started by the PIDs in its pid files, then any process
# of this cluster still running (slurmstepd, job processes; see marked_pids), and fails if one survives.
#
# Slurm runs its daemons as root here (SlurmUser=root, SlurmdUser=root), so start needs root.
set -euo pipefail

PACKAGES="slurm-wlm munge"
NEEDED="munged munge unmunge slurmctld slurmd sinfo sbatch squeue scontrol scancel"
MARKER=GAMMANET_SLURM_LOCAL                 # in the environment of every process started here: MARKER=DIR

die() { echo "slurm_local.sh: $*" >&2; exit 1; }
say() { echo "slurm_local.sh: $*" >&2; }
# The last lines of those of the files $@ that exist, on stderr.
show_logs() { local f; for f in "$@"; do [ -s "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done; true; }

usage() {
    echo "usage: $0 start DIR [--owner PID] | stop DIR | check" >&2
    exit 2
}

check_installed() {
    local missing=()
    for b in $NEEDED; do
        command -v "$b" >/dev/null 2>&1 || missing+=("$b")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "slurm_local.sh: ${missing[*]} not found; install the Debian packages: apt-get install -y $PACKAGES" >&2
        exit 3
    fi
}

# The first free TCP port from $1 on (listening sockets read from /proc/net/tcp and tcp6, in hex).
free_port() {
    local port=$1 used
    used=$(awk 'NR > 1 && $4 == "0A" { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null || true)
    while grep -qix "$(printf '%04X' "$port")" <<<"$used"; do port=$((port + 1)); done
    echo "$port"
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pid_of() { [ -s "$1" ] && tr -dc '0-9' <"$1" || true; }
# Whether process $1 was started by this script for folder $2 (its environment holds MARKER=DIR): a pid file left
# by a daemon that died long ago may name an unrelated process by now.
ours() { alive "$1" && grep -qzxF "$MARKER=$2" "/proc/$1/environ" 2>/dev/null; }

# Send SIGTERM to PID, wait up to $2 seconds, then SIGKILL.
end_pid() {
    local pid=$1 wait_s=${2:-10} i
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < wait_s * 10; i++)); do alive "$pid" || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do alive "$pid" || return 0; sleep 0.1; done
}

# This shell and its ancestors (never ended by stop, even when they carry the marker).
ancestors() {
    local pid=$$
    while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
        echo "$pid"
        pid=$(awk '{ print $4 }' "/proc/$pid/stat" 2>/dev/null || true)
    done
}

# PIDs of this cluster's processes, except this shell and its ancestors: those whose environment holds
# MARKER=DIR (the daemons, the watcher), and slurmstepd and job processes whose SLURM_CONF is this cluster's
# (slurmd starts slurmstepd with a fresh environment; a user's shell that exported SLURM_CONF is not matched).
marked_pids() {
    local dir=$1 keep f p
    keep=" $(ancestors | tr '\n' ' ') "
    {
        grep -lzxF "$MARKER=$dir" /proc/[0-9]*/environ 2>/dev/null || true
        for f in $(grep -lzxF "SLURM_CONF=$dir/slurm/slurm.conf" /proc/[0-9]*/environ 2>/dev/null || true); do
            p=${f%/environ}
            if [ "$(cat "$p/comm" 2>/dev/null)" = slurmstepd ] || grep -qz '^SLURM_JOB_ID=' "$f" 2>/dev/null; then
                echo "$f"
            fi
        done
    } | sed -n 's|^/proc/\([0-9]*\)/environ$|\1|p' | sort -un | while read -r p; do
        [[ "$keep" == *" $p "* ]] || echo "$p"
    done
}

cmd_start() {
    local dir=$1 owner=${2:-}
    check_installed
    [ "$(id -u)" = 0 ] || die "start needs root (the daemons run as SlurmUser=root); you are $(id -un)"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    local m=$dir/munge s=$dir/slurm
    for f in "$m/munged.pid" "$s/slurmctld.pid" "$s/slurmd.pid"; do
        if ours "$(pid_of "$f")" "$dir"; then die "a cluster started in $dir is still running; run: $0 stop $dir"; fi
    done
    mkdir -p "$m" "$s/state" "$s/spool" "$s/log"
    chmod 700 "$dir" "$m"
    export "$MARKER=$dir"
    START_DIR=$dir START_READY=0        # globals: the trap runs after this function has returned
    trap '[ "$START_READY" = 1 ] || cmd_stop "$START_DIR" >/dev/null 2>&1 || true' EXIT

    # munge: a key of our own (never /etc/munge/munge.key), our own socket, pid, log and seed files.
    if [ ! -s "$m/munge.key" ]; then
        if command -v mungekey >/dev/null 2>&1; then
            mungekey --create --keyfile="$m/munge.key" >/dev/null 2>&1 || head -c 1024 /dev/urandom >"$m/munge.key"
        else
            head -c 1024 /dev/urandom >"$m/munge.key"
        fi
    fi
    chmod 400 "$m/munge.key"
    munged --socket="$m/munge.socket" --key-file="$m/munge.key" --pid-file="$m/munged.pid" \
        --log-file="$m/munged.log" --seed-file="$m/munged.seed" --force </dev/null >"$m/munged.out" 2>&1 \
        || { show_logs "$m/munged.out" "$m/munged.log"; die "munged did not start"; }
    munge --socket="$m/munge.socket" -n </dev/null | unmunge --socket="$m/munge.socket" >/dev/null \
        || die "munge does not work with $m/munge.socket (see $m/munged.log)"

    # slurm.conf: one node, one default partition, every path under DIR.
    local host cpus mem_mb ctld_port slurmd_port
    host=$(hostname -s)
    # nproc honours OMP_NUM_THREADS (make test sets it to 1): count the machine's CPUs without it.  At least 2, so
    # that two one-CPU tasks run side by side even on a one-CPU machine (task/none binds nothing; it only overcommits).
    cpus=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
    [ "$cpus" -ge 2 ] || cpus=2
    mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
    ctld_port=$(free_port 16817)
    slurmd_port=$(free_port $((ctld_port + 1)))
    cat >"$s/slurm.conf" <<EOF
# Written by scripts/slurm_local.sh: a one-node cluster whose every file is under $dir.
ClusterName=gammanet-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$m/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
KillWait=2
MinJobAge=600
SlurmdTimeout=30
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
StateSaveLocation=$s/state
SlurmdSpoolDir=$s/spool
SlurmctldPidFile=$s/slurmctld.pid
SlurmdPidFile=$s/slurmd.pid
SlurmctldLogFile=$s/log/slurmctld.log
SlurmdLogFile=$s/log/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF=$s/slurm.conf
    slurmctld -f "$SLURM_CONF" </dev/null >"$s/log/slurmctld.out" 2>&1 \
        || { show_logs "$s/log/slurmctld.out" "$s/log/slurmctld.log"; die "slurmctld did not start"; }
    slurmd -f "$SLURM_CONF" </dev/null >"$s/log/slurmd.out" 2>&1 \
        || { show_logs "$s/log/slurmd.out" "$s/log/slurmd.log"; die "slurmd did not start"; }

    if [ -n "$owner" ]; then
        # Stops the cluster when the owner is gone, however it ended. Its output goes to a file, so that it
        # holds none of the caller's pipes open.
        nohup setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" stop "$3"' \
            watcher "$owner" "$(cd "$(dirname "$0")" && pwd -P)/$(basename "$0")" "$dir" \
            </dev/null >"$dir/watcher.log" 2>&1 &
        echo $! >"$dir/watcher.pid"
    fi

    local i state=""
    for ((i = 0; i < 600; i++)); do
        state=$(sinfo -h -N -n "$host" -o %T 2>/dev/null || true)
        [ "$state" = idle ] && break
        sleep 0.1
    done
    if [ "$state" != idle ]; then
        say "the node is not idle after 60 s (sinfo: ${state:-no answer}); last lines of the logs:"
        show_logs "$s/log/slurmctld.log" "$s/log/slurmd.log"
        exit 1
    fi
    START_READY=1
    say "node $host idle ($cpus CPUs, $mem_mb MB) in $dir"
    echo "export SLURM_CONF=$SLURM_CONF"
}

cmd_stop() {
    local dir=$1
    [ -d "$dir" ] || die "no such folder: $dir"
    dir=$(cd "$dir" && pwd -P)
    local m=$dir/munge s=$dir/slurm pid
    unset "$MARKER"                 # (when the watcher runs stop) so that stop's own subshells do not match
    if ours "$(pid_of "$s/slurmctld.pid")" "$dir" && [ -f "$s/slurm.conf" ]; then
        local jobs
        jobs=$(SLURM_CONF=$s/slurm.conf timeout 10 squeue -h -o %F 2>/dev/null | sort -u || true)
        if [ -n "$jobs" ]; then
            # shellcheck disable=SC2086
            SLURM_CONF=$s/slurm.conf timeout 10 scancel $jobs 2>/dev/null || true
            for ((i = 0; i < 100; i++)); do
                [ -z "$(SLURM_CONF=$s/slurm.conf timeout 5 squeue -h -o %A 2>/dev/null || true)" ] && break
                sleep 0.1
            done
        fi
    fi
    local keep
    keep=" $(ancestors | tr '\n' ' ') "
    pid=$(pid_of "$dir/watcher.pid")
    if ours "$pid" "$dir" && [[ "$keep" != *" $pid "* ]]; then end_pid "$pid" 2; fi
    # The three daemons together: each takes a second or two to end.
    for f in "$s/slurmd.pid" "$s/slurmctld.pid" "$m/munged.pid"; do
        pid=$(pid_of "$f")
        if ours "$pid" "$dir"; then end_pid "$pid" 10 & fi
    done
    wait
    for pid in $(marked_pids "$dir"); do end_pid "$pid" 5 & done
    wait
    local left=()
    for pid in $(marked_pids "$dir"); do
        if alive "$pid"; then left+=("$pid"); fi
    done
    [ ${#left[@]} -eq 0 ] || die "still running after stop: ${left[*]}"
    rm -f "$m/munge.socket" "$m/munged.pid" "$s/slurmctld.pid" "$s/slurmd.pid" "$dir/watcher.pid"
    say "stopped the cluster in $dir"
}

[ $# -ge 1 ] || usage
case "$1" in
    start)
        [ $# -eq 2 ] || { [ $# -eq 4 ] && [ "$3" = --owner ]; } || usage
        cmd_start "$2" "${4:-}" ;;
    stop)
        [ $# -eq 2 ] || usage
        cmd_stop "$2" ;;
    check)
        check_installed ;;
    *) usage ;;
esac
