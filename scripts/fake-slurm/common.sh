# Sourced by the fake Slurm commands: where their state lives.
here=$(cd "$(dirname "$0")" && pwd)
state=${FAKE_SLURM_STATE:-$here/state}
mkdir -p "$state"
