#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, to try --executor slurm and tests/test_slurm_real.py
# against real sbatch/sacct/scontrol. A developer tool for Debian 12 (root, no systemd needed,
# works in a container); not run in CI.
#
#   sudo bash bench/slurm_local_cluster.sh          # install if needed, start (no-op if running)
#   sudo bash bench/slurm_local_cluster.sh stop     # stop every daemon it started
#
# Daemons run as root (SlurmUser=root): fine for a throwaway dev cluster, not for a shared one.
# Accounting goes through slurmdbd + MariaDB, so `sacct` (submitit's job states) works.
# CPU only (no GRES), one partition "debug", no cgroups (proctrack/linuxproc, task/none).
set -euo pipefail
CLUSTER=littlehuman
PART=${SLURM_PARTITION_NAME:-debug}
DBPASS=littlehuman-dev          # local-only MariaDB password of the "slurm" user
ETC=/etc/slurm LOG=/var/log/slurm

stop() {
  scontrol shutdown 2>/dev/null || true                     # slurmctld + slurmd
  [ -f /run/slurmdbd.pid ] && kill "$(cat /run/slurmdbd.pid)" 2>/dev/null || true
  service mariadb stop >/dev/null 2>&1 || true
  service munge stop >/dev/null 2>&1 || true
  echo "SLURM stopped"
}
[ "${1:-start}" = stop ] && { stop; exit 0; }

if scontrol ping 2>/dev/null | grep -q UP && sacct -n -X -S now >/dev/null 2>&1; then
  echo "SLURM already running:"; sinfo; exit 0
fi

# 1. packages (already installed: nothing to do)
if ! command -v slurmctld >/dev/null || ! command -v slurmdbd >/dev/null || ! command -v mariadbd >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm slurmdbd munge mariadb-server
fi
mkdir -p "$ETC" "$LOG" /var/spool/slurmctld /var/spool/slurmd

# 2. munge (authentication between the daemons and the commands)
[ -s /etc/munge/munge.key ] || { mungekey -c -k /etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; }
install -d -o munge -g munge /run/munge
service munge start >/dev/null

# 3. MariaDB + slurmdbd (job accounting, what sacct reads)
service mariadb start >/dev/null
mysql -u root <<SQL
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DBPASS';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
SQL
cat > "$ETC/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=$DBPASS
StorageLoc=slurm_acct_db
LogFile=$LOG/slurmdbd.log
PidFile=/run/slurmdbd.pid
EOF
chmod 600 "$ETC/slurmdbd.conf"

# 4. slurm.conf: this host as the only node, with the CPUs and memory slurmd detects
NODE=$(slurmd -C | head -1)            # "NodeName=<host> CPUs=.. RealMemory=.. ..."
cat > "$ETC/slurm.conf" <<EOF
ClusterName=$CLUSTER
SlurmctldHost=$(hostname -s)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
$NODE State=UNKNOWN
PartitionName=$PART Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

# 5. start: slurmdbd, register the cluster, then the controller and the node daemon
[ -f /run/slurmdbd.pid ] && kill -0 "$(cat /run/slurmdbd.pid)" 2>/dev/null || slurmdbd
for _ in $(seq 30); do sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 1; done
sacctmgr -i add cluster "$CLUSTER" >/dev/null 2>&1 || true
slurmctld
slurmd
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo
echo "SLURM $(sinfo -V) running: partition '$PART'. Stop it with: bash $0 stop"
