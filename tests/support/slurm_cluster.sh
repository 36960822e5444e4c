#!/usr/bin/env bash
# slurm_cluster.sh - start/stop a private single-machine Slurm cluster for tests.
#
#   slurm_cluster.sh start DIR   create DIR, start munged + slurmctld + slurmd
#                                (all state, sockets, logs under DIR), wait until
#                                the node is idle, print "export SLURM_CONF=..."
#   slurm_cluster.sh stop DIR    stop the daemons started for DIR (by pid file)
#
# Must run as root. Never touches /etc/slurm, /etc/munge or systemd.
# See slurm_cluster.md next to this file.
set -u

PROG=${0##*/}
START_TIMEOUT=${SLURM_CLUSTER_START_TIMEOUT:-60}
STOP_TIMEOUT=${SLURM_CLUSTER_STOP_TIMEOUT:-30}

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

usage() {
    echo "usage: $PROG start DIR | stop DIR" >&2
    exit 2
}

need() {
    command -v "$1" >/dev/null 2>&1 ||
        die "'$1' not found; install Debian packages: apt-get install -y slurm-wlm munge"
}

# pid from a pid file if that process is alive, else empty
alive_pid() {
    local f=$1 pid
    [ -s "$f" ] || return 1
    pid=$(tr -dc '0-9' <"$f")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

# stop the process named in pid file $1 ($2: label); wait until it is gone
stop_one() {
    local f=$1 label=$2 pid i
    pid=$(alive_pid "$f") || { rm -f "$f"; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$f"; return 0; }
        sleep 0.1
    done
    log "$label (pid $pid) did not exit after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$f"
    return 0
}

do_stop() {
    local dir=$1
    [ -d "$dir" ] || return 0
    stop_one "$dir/run/slurmd.pid" slurmd
    stop_one "$dir/run/slurmctld.pid" slurmctld
    stop_one "$dir/munge/munged.pid" munged
    return 0
}

log_tails() {
    local dir=$1 f
    for f in "$dir/log/munged.log" "$dir/log/slurmctld.log" "$dir/log/slurmd.log" \
             "$dir/log/slurmctld.stderr" "$dir/log/slurmd.stderr" "$dir/log/munged.stderr"; do
        [ -s "$f" ] || continue
        echo "----- tail $f -----" >&2
        tail -n 30 "$f" >&2
    done
}

fail_start() {
    local dir=$1; shift
    echo "$PROG: error: $*" >&2
    log_tails "$dir"
    do_stop "$dir"
    echo "$PROG: error: cluster in $dir NOT started (daemons stopped)" >&2
    exit 1
}

free_ports() {
    # two distinct free TCP ports on this machine
    local py
    py=$(command -v /usr/bin/python3 || command -v python3) || die "python3 needed to pick free ports"
    "$py" - <<'EOF'
import socket
socks = []
for _ in range(2):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

do_start() {
    local dir=$1
    [ "$(id -u)" -eq 0 ] || die "must run as root (SlurmUser=root, munged --force)"
    need munged; need mungekey; need slurmctld; need slurmd; need sinfo; need scontrol

    mkdir -p "$dir" || die "cannot create $dir"
    dir=$(cd "$dir" && pwd -P) || die "cannot enter $dir"
    case "$dir" in *[[:space:]]*) die "DIR must not contain whitespace: $dir" ;; esac

    if alive_pid "$dir/run/slurmctld.pid" >/dev/null || alive_pid "$dir/run/slurmd.pid" >/dev/null ||
       alive_pid "$dir/munge/munged.pid" >/dev/null; then
        die "a cluster is already running for $dir (run: $PROG stop $dir)"
    fi

    mkdir -p "$dir/munge" "$dir/log" "$dir/run" "$dir/state" "$dir/spool" "$dir/tmp" ||
        die "cannot create subfolders of $dir"
    chmod 0755 "$dir/munge"
    chmod 0700 "$dir/state" "$dir/spool"
    chmod 1777 "$dir/tmp"

    # ---- munge ---------------------------------------------------------------
    local key=$dir/munge/munge.key sock=$dir/munge/munge.socket.2
    if [ ! -s "$key" ]; then
        mungekey --create --keyfile="$key" >/dev/null 2>&1 ||
            dd if=/dev/urandom of="$key" bs=1 count=1024 status=none ||
            die "cannot create munge key $key"
    fi
    chown root:root "$key"; chmod 0400 "$key"
    rm -f "$sock" "$sock.lock"

    munged --force \
        --socket="$sock" \
        --key-file="$key" \
        --pid-file="$dir/munge/munged.pid" \
        --log-file="$dir/log/munged.log" \
        --seed-file="$dir/munge/munged.seed" \
        >"$dir/log/munged.stderr" 2>&1 ||
        fail_start "$dir" "munged failed to start"
    local i
    for ((i = 0; i < 100; i++)); do
        [ -S "$sock" ] && break
        sleep 0.1
    done
    [ -S "$sock" ] || fail_start "$dir" "munged socket $sock did not appear"
    if command -v munge >/dev/null && command -v unmunge >/dev/null; then
        munge --socket="$sock" -n 2>/dev/null | unmunge --socket="$sock" >/dev/null 2>&1 ||
            fail_start "$dir" "munge self-test on $sock failed"
    fi

    # ---- slurm.conf ------------------------------------------------------------
    local host node_cfg cpus boards sockets cores threads mem ports ctld_port slurmd_port
    host=$(hostname -s) || die "hostname -s failed"
    node_cfg=$(slurmd -C 2>/dev/null | head -n 1)
    cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$node_cfg")
    boards=$(sed -n 's/.*Boards=\([0-9]*\).*/\1/p' <<<"$node_cfg")
    sockets=$(sed -n 's/.*SocketsPerBoard=\([0-9]*\).*/\1/p' <<<"$node_cfg")
    cores=$(sed -n 's/.*CoresPerSocket=\([0-9]*\).*/\1/p' <<<"$node_cfg")
    threads=$(sed -n 's/.*ThreadsPerCore=\([0-9]*\).*/\1/p' <<<"$node_cfg")
    mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node_cfg")
    [ -n "$cpus" ] || cpus=$(nproc)
    [ -n "$mem" ] || mem=1
    local topo=""
    if [ -n "$boards" ] && [ -n "$sockets" ] && [ -n "$cores" ] && [ -n "$threads" ]; then
        topo="Boards=$boards SocketsPerBoard=$sockets CoresPerSocket=$cores ThreadsPerCore=$threads"
    fi
    ports=$(free_ports) || die "cannot pick free ports"
    read -r ctld_port slurmd_port <<<"$ports"

    : >"$dir/plugstack.conf"
    cat >"$dir/slurm.conf" <<EOF
# Generated by $PROG for a private test cluster; every path is under $dir
ClusterName=scnstest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
PlugStackConfig=$dir/plugstack.conf
TmpFS=$dir/tmp
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
JobRequeue=1
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
KillWait=5
InactiveLimit=0
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$host NodeAddr=127.0.0.1 NodeHostname=$host CPUs=$cpus $topo RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

    export SLURM_CONF=$dir/slurm.conf

    # ---- daemons -------------------------------------------------------------
    slurmctld -f "$SLURM_CONF" >"$dir/log/slurmctld.stderr" 2>&1 ||
        fail_start "$dir" "slurmctld failed to start"
    slurmd -f "$SLURM_CONF" -N "$host" >"$dir/log/slurmd.stderr" 2>&1 ||
        fail_start "$dir" "slurmd failed to start"

    local t0=$SECONDS state=""
    while ((SECONDS - t0 < START_TIMEOUT)); do
        state=$(sinfo -h -n "$host" -o '%T' 2>/dev/null | head -n 1)
        [ "$state" = idle ] && break
        alive_pid "$dir/run/slurmctld.pid" >/dev/null || { [ $((SECONDS - t0)) -lt 3 ] || \
            fail_start "$dir" "slurmctld exited during startup"; }
        sleep 0.5
    done
    [ "$state" = idle ] ||
        fail_start "$dir" "node $host not idle after ${START_TIMEOUT}s (state: '${state:-none}')"
    alive_pid "$dir/run/slurmd.pid" >/dev/null || fail_start "$dir" "slurmd is not running"

    log "cluster scnstest up in $dir (node $host idle after $((SECONDS - t0))s," \
        "slurmctld port $ctld_port, slurmd port $slurmd_port)"
    echo "export SLURM_CONF=$dir/slurm.conf"
}

[ $# -eq 2 ] || usage
case "$1" in
    start) do_start "$2" ;;
    stop) do_stop "$2"; exit 0 ;;
    *) usage ;;
esac
