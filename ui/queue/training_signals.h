#pragma once
// core's observer structs as Qt meta types, so they can travel in queued signals from a
// training thread to the GUI thread. Plain values only: no tensors ever cross.
#include <QMetaType>

#include "train/observer.h"

Q_DECLARE_METATYPE(scns::RunStartInfo)
Q_DECLARE_METATYPE(scns::BatchProgress)
Q_DECLARE_METATYPE(scns::EpochSummary)
Q_DECLARE_METATYPE(scns::RunResult)

namespace scns {

// Registers the types above (idempotent); call before the first queued connection.
void registerTrainingMetaTypes();

}  // namespace scns
