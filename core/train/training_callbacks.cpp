#include "train/training_callbacks.h"

#include <cmath>
#include <cstdio>

#include "common/errors.h"
#include "train/checkpoint.h"
#include "train/contrastive_term.h"
#include "train/epoch_metrics.h"
#include "train/metric_names.h"
#include "train/teacher.h"

namespace scns {

void ProbeRecording::endEpoch(const EpochEnd& end)
{
    m_contrastive.recordProbes(end.summary.epoch);
}

void MetricRecording::stepTaken(const TrainStep& t)
{
    m_recorder.metric(t.epoch, t.step, metric::kTrainLoss, t.loss);
    m_recorder.metric(t.epoch, t.step, metric::kLr, t.lr);
    if (t.ceLoss)
        m_recorder.metric(t.epoch, t.step, metric::kCeLoss, *t.ceLoss);
    if (t.contrastiveLoss)
        m_recorder.metric(t.epoch, t.step, metric::kContrastiveLoss, *t.contrastiveLoss);
    if (t.kdLoss)
        m_recorder.metric(t.epoch, t.step, metric::kKdLoss, *t.kdLoss);
}

void MetricRecording::endEpoch(const EpochEnd& end)
{
    const EpochSummary& s = end.summary;
    for (const auto& [name, value] : epochMetrics(s))
        m_recorder.metric(s.epoch, s.step, name, value);
    m_recorder.testConfusion(s.epoch, m_testClassNames, end.testConfusion);
    if (m_contrastive) {
        const ContrastiveEpochStats cs = m_contrastive->statistics();
        m_recorder.metric(s.epoch, s.step, metric::kContrastiveEpochLoss, cs.meanLoss);
        m_recorder.metric(s.epoch, s.step, metric::kNegativeCosine, cs.meanNegativeCosine);
        m_recorder.metric(s.epoch, s.step, metric::kSameClassShare, cs.sameClassShare);
        m_recorder.metric(s.epoch, s.step, metric::kFromTopKShare, cs.fromTopKShare);
        if (!std::isnan(cs.topKClassShare))
            m_recorder.metric(s.epoch, s.step, metric::kTopKClassShare, cs.topKClassShare);
    }
    m_recorder.flush();
}

std::optional<std::string> DivergenceCheck::evaluate(const TrainStep& t)
{
    const double lossValue = t.loss;
    if (std::isfinite(lossValue) && !(std::abs(lossValue) > m_lossBound))
        return std::nullopt;
    char bound[96];
    std::snprintf(bound, sizeof bound, "%g, above the divergence bound divergence_loss = %g", lossValue, m_lossBound);
    return "loss became " + std::string(std::isnan(lossValue) ? "NaN" : std::isinf(lossValue) ? "infinite" : bound) + " in epoch "
           + std::to_string(t.epoch) + " at batch " + std::to_string(t.batch) + " (step " + std::to_string(t.step) + ", lr "
           + std::to_string(t.lr) + "); "
           + (t.epochsCompleted > 0 ? "the checkpoint of epoch " + std::to_string(t.epochsCompleted) + " is intact"
                                    : "no checkpoint was written yet");
}

void DivergenceCheck::endEpoch(const EpochEnd& end)
{
    if (m_teacher && m_teacher->stateHash() != m_teacherHash)
        throw Error("the teacher " + m_teacherWeights + " changed during epoch " + std::to_string(end.summary.epoch)
                    + " of distillation; its weights and batch-norm statistics must stay frozen");
}

namespace {

void pruneCheckpoints(const std::filesystem::path& dir, std::int64_t newestEpoch, std::int64_t keep)
{
    for (std::int64_t e = newestEpoch - keep; e >= 1; --e) {
        std::error_code ec;
        if (!std::filesystem::remove(dir / ("epoch-" + std::to_string(e) + ".pt"), ec))
            break;  // older ones were pruned before
    }
}

}  // namespace

void Checkpointing::endEpoch(const EpochEnd& end)
{
    const std::int64_t epoch = end.summary.epoch;
    const auto file = m_target.dir / ("epoch-" + std::to_string(epoch) + ".pt");
    saveCheckpoint(file, m_model, m_optimizer, {epoch, end.summary.step, m_target.arch, m_target.dataset}, m_extra);
    m_recorder.checkpoint(epoch, file.string());
    pruneCheckpoints(m_target.dir, epoch, m_target.keep);
    m_observer.onCheckpoint(epoch, file.string());
}

}  // namespace scns
