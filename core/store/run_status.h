#pragma once
// The life cycle of a run, stored as lower-case text in runs.status.
//   queued -> running -> finished | failed | cancelled | diverged
//   running -> interrupted  (its process ended without saying so; see RunStore)
// A failed, cancelled, diverged or interrupted run may be resumed: running again.
#include <string>

namespace scns {

enum class RunStatus { Queued, Running, Finished, Failed, Cancelled, Diverged, Interrupted };

// "queued", "running", "finished", "failed", "cancelled", "diverged", "interrupted".
std::string toString(RunStatus status);
// Inverse of toString; throws StoreError naming the text on anything else.
RunStatus runStatusFromString(const std::string& text);

// Finished, failed, cancelled, diverged and interrupted: the run has stopped.
bool isFinal(RunStatus status);

}  // namespace scns
