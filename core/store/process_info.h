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
// When process `pid` started: field 22 of /proc/<pid>/stat (clock ticks after boot). 0 when
// it cannot be read (no such process, no /proc).
std::int64_t processStartTime(std::int64_t pid);
// Whether the process that owned a run still runs: `pid` is alive and, when a start time was
// recorded (> 0), it is the same process (a pid reused by a new process has a later start).
bool ownerAlive(std::int64_t pid, std::int64_t startTime);

}  // namespace scns
