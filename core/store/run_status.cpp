#include "store/run_status.h"

#include "common/errors.h"

#include <array>
#include <utility>

namespace scns {

namespace {

constexpr std::array<std::pair<RunStatus, const char*>, 7> kNames = {{
    {RunStatus::Queued, "queued"},
    {RunStatus::Running, "running"},
    {RunStatus::Finished, "finished"},
    {RunStatus::Failed, "failed"},
    {RunStatus::Cancelled, "cancelled"},
    {RunStatus::Diverged, "diverged"},
    {RunStatus::Interrupted, "interrupted"},
}};

}  // namespace

std::string toString(RunStatus status)
{
    for (const auto& [value, name] : kNames) {
        if (value == status)
            return name;
    }
    throw StoreError("run status " + std::to_string(static_cast<int>(status)) + " has no name");
}

RunStatus runStatusFromString(const std::string& text)
{
    for (const auto& [value, name] : kNames) {
        if (text == name)
            return value;
    }
    throw StoreError("unknown run status '" + text +
                     "'; expected queued, running, finished, failed, cancelled, diverged or interrupted");
}

bool isFinal(RunStatus status)
{
    return status != RunStatus::Queued && status != RunStatus::Running;
}

}  // namespace scns
