#pragma once
// The metric rows the trainer records, rebuilt from what its observer reports, so a queue can
// feed CurvesView::appendMetrics while a run trains (the store gets its rows only at each
// epoch's end). Components the observer does not carry (ce/contrastive/kd loss per step,
// sampler statistics) come from the store at each epoch's end (CurvesView::syncRunFromStore).
#include <QList>

#include "store/run_record.h"
#include "train/observer.h"

namespace scns {

// train/loss and train/lr at the batch's step.
QList<MetricRow> metricRowsFromBatch(const BatchProgress& batch);
// The per-epoch rows: train/epoch_loss, train/top1, test/loss, test/top1, test/top5 and the
// time/... rows, at the epoch's last step.
QList<MetricRow> metricRowsFromEpoch(const EpochSummary& epoch);

}  // namespace scns
