#include "queue/job_state.h"

namespace scns {

QString toDisplayString(JobState state)
{
    switch (state) {
    case JobState::Waiting: return QStringLiteral("waiting");
    case JobState::Running: return QStringLiteral("running");
    case JobState::Pausing: return QStringLiteral("pausing at epoch end");
    case JobState::Cancelling: return QStringLiteral("cancelling");
    case JobState::Paused: return QStringLiteral("paused");
    case JobState::Cancelled: return QStringLiteral("cancelled");
    case JobState::Finished: return QStringLiteral("finished");
    case JobState::Failed: return QStringLiteral("failed");
    case JobState::Diverged: return QStringLiteral("diverged");
    }
    return {};
}

bool isActive(JobState state)
{
    return state == JobState::Running || state == JobState::Pausing || state == JobState::Cancelling;
}

bool isResumable(JobState state)
{
    return state == JobState::Paused || state == JobState::Cancelled || state == JobState::Failed
           || state == JobState::Diverged;
}

JobState stateForOutcome(RunOutcome outcome, bool pauseRequested)
{
    switch (outcome) {
    case RunOutcome::Finished: return JobState::Finished;
    case RunOutcome::Cancelled: return pauseRequested ? JobState::Paused : JobState::Cancelled;
    case RunOutcome::Diverged: return JobState::Diverged;
    case RunOutcome::Failed:
    case RunOutcome::Interrupted: return JobState::Failed;
    }
    return JobState::Failed;
}

}  // namespace scns
