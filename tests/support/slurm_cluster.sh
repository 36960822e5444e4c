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
# job credential lifetime; Slurm also keeps a requeued job PENDING (Reason=BeginTime)
# for this many seconds before it may start again (Slurm default: 120)
CRED_EXPIRE=${SLURM_CLUSTER_CRED_EXPIRE:-10}
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

# send SIGTERM to every live pid file given, wait until all are gone
# (SIGKILL after STOP_TIMEOUT seconds), remove the pid files
stop_pids() {
    local f pid i pids=() files=("$@")
    for f in "${files[@]}"; do
        pid=$(alive_pid "$f") && { kill -TERM "$pid" 2>/dev/null; pids+=("$pid"); }
    done
    for ((i = 0; i < STOP_TIMEOUT * 10 && ${#pids[@]} > 0; i++)); do
        local left=()
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
        pids=("${left[@]+"${left[@]}"}")
        [ ${#pids[@]} -gt 0 ] && sleep 0.1
    done
    for pid in "${pids[@]+"${pids[@]}"}"; do
        log "pid $pid did not exit after ${STOP_TIMEOUT}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    rm -f "${files[@]}"
}

# pids of slurmstepd processes started by this cluster's slurmd (identified by the
# SLURM_CONF in their environment), plus all their descendants (the job processes)
stepd_tree_pids() {
    local conf=$1 p roots=()
    for p in /proc/[0-9]*; do
        [ "$(cat "$p/comm" 2>/dev/null)" = slurmstepd ] || continue
        tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$conf" || continue
        roots+=("${p#/proc/}")
    done
    [ ${#roots[@]} -gt 0 ] || return 0
    ps -eo pid=,ppid= | awk -v roots="${roots[*]}" '
        BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
        { parent[$1] = $2 }
        END { changed = 1
              while (changed) { changed = 0
                  for (c in parent) if (!(c in keep) && (parent[c] in keep)) { keep[c] = 1; changed = 1 } }
              for (k in keep) print k }'
}

do_stop() {
    local dir=$1 conf i ids pids
    [ -d "$dir" ] || return 0
    dir=$(cd "$dir" && pwd -P) || return 0
    conf=$dir/slurm.conf
    # 1. cancel every job while the controller is still up (slurmd does not kill
    #    running jobs when it stops), wait up to 20 s for the queue to drain
    if alive_pid "$dir/run/slurmctld.pid" >/dev/null && [ -f "$conf" ]; then
        ids=$(SLURM_CONF=$conf timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
        if [ -n "${ids// /}" ]; then
            # shellcheck disable=SC2086
            SLURM_CONF=$conf timeout 10 scancel $ids 2>/dev/null
            for ((i = 0; i < 40; i++)); do
                [ -z "$(SLURM_CONF=$conf timeout 10 squeue -h -o %A 2>/dev/null)" ] && break
                sleep 0.5
            done
        fi
    fi
    # 2. the daemons: slurmd and slurmctld together (each takes ~1.5 s), munged last
    stop_pids "$dir/run/slurmd.pid" "$dir/run/slurmctld.pid"
    stop_pids "$dir/munge/munged.pid"
    # 3. any job step left behind (e.g. controller was already dead)
    pids=$(stepd_tree_pids "$conf" | tr '\n' ' ')
    if [ -n "${pids// /}" ]; then
        log "killing leftover job processes: $pids"
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null
        local pid left
        for ((i = 0; i < 50; i++)); do      # wait until dead (gone or zombie)
            left=0
            for pid in $pids; do
                [ -r "/proc/$pid/stat" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] && left=1
            done
            [ $left -eq 0 ] && break
            sleep 0.1
        done
    fi
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
AuthInfo=socket=$sock,cred_expire=$CRED_EXPIRE
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
SchedulerParameters=bf_interval=2,sched_interval=2
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
        if ((SECONDS - t0 >= 5)); then   # daemons have written their pid files by now
            alive_pid "$dir/run/slurmctld.pid" >/dev/null || fail_start "$dir" "slurmctld exited during startup"
            alive_pid "$dir/run/slurmd.pid" >/dev/null || fail_start "$dir" "slurmd exited during startup"
        fi
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
