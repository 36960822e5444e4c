#pragma once
// What RunStore needs to know about processes to tell an orphaned running run from a live one.
#include <cstdint>
#include <string>

namespace scns {

// This machine's name (gethostname), stored with a running run.
std::string hostName();
// This process's id.
std::int64_t currentPid();
// Whether a process with this id exists on this machine (kill(pid, 0) does not fail with
// ESRCH). A process of another user counts as alive. pid <= 0 is never alive. A pid reused
// by an unrelated process reads as alive: the conservative answer.
bool processAlive(std::int64_t pid);

}  // namespace scns
