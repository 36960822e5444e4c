#pragma once
// Finding the scns program from the workbench: the cluster's tasks (shell/cluster_actions.h) and
// the other ranks of a data-parallel run (queue/queued_run.h) are started with it.
#include <QString>

namespace scns {

// $SCNS_CLI, else scns beside this program (installed), else the build tree's app/scns/scns,
// else the one on PATH; empty when there is none.
QString scnsProgramPath();

}  // namespace scns
