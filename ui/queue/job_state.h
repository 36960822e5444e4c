#pragma once
// The life of one entry in the GUI's run queue. It is richer than the store's RunStatus:
// the queue knows that a cancel or pause was asked for and is still on its way.
#include <QMetaType>
#include <QString>

#include "train/observer.h"

namespace scns {

enum class JobState {
    Waiting,     // queued here, not started (or waiting to resume)
    Running,
    Pausing,     // stops after the current epoch's checkpoint
    Cancelling,  // stops at the next batch
    Paused,      // stopped at an epoch boundary; resumable from its checkpoint
    Cancelled,   // stopped by the user; resumable from its newest checkpoint
    Finished,
    Failed,
    Diverged,
};

QString toDisplayString(JobState state);
// Running, Pausing or Cancelling: a training thread exists.
bool isActive(JobState state);
// Paused, Cancelled, Failed or Diverged: can continue from a checkpoint.
bool isResumable(JobState state);
// The terminal queue state for a run that ended with `outcome` (pauseRequested: the user
// asked for a pause, so a cancelled outcome means paused).
JobState stateForOutcome(RunOutcome outcome, bool pauseRequested);

}  // namespace scns

Q_DECLARE_METATYPE(scns::JobState)
