#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, from Debian's packages, for trying and testing the
# Slurm executor: this host is the one node (all its CPUs), one partition "debug", no cgroups, no
# accounting. Needs root. Usage: scripts/slurm-local.sh start|stop|status
set -euo pipefail
cmd="${1:-status}"
host="$(hostname -s)"
conf=/etc/slurm/slurm.conf

start() {
  if [ "$(id -u)" != 0 ]; then
    echo "slurm-local: run as root (it installs packages and starts daemons)" >&2
    exit 2
  fi
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge \
      >/dev/null
  fi
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
  fi
  mkdir -p /run/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /etc/slurm
  chown munge:munge /run/munge 2>/dev/null || true
  pgrep -x munged >/dev/null || su -s /bin/sh munge -c /usr/sbin/munged 2>/dev/null \
    || /usr/sbin/munged --force
  local mem
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  cat >"$conf" <<CONF
# written by scripts/slurm-local.sh: a one-node cluster for trying the Slurm executor
ClusterName=cpift-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$((mem / $(nproc)))
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$host CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
  pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
  for _ in $(seq 1 30); do
    if sinfo -h -o %t 2>/dev/null | grep -q -E '^(idle|mix|alloc)'; then
      echo "slurm-local: up ($host, $(nproc) CPUs, ${mem} MB)"
      return 0
    fi
    scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
    sleep 1
  done
  echo "slurm-local: the node did not come up; see /var/log/slurm/" >&2
  sinfo >&2 || true
  exit 1
}

stop() {
  pkill -x slurmd || true
  pkill -x slurmctld || true
  echo "slurm-local: stopped (munged left running)"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) sinfo 2>/dev/null || { echo "slurm-local: not running"; exit 1; } ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
