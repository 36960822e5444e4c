#pragma once
// Prints training progress: a live, self-overwriting line on a terminal (epoch, batch, loss,
// images per second, ETA) and one line per epoch everywhere. Also turns Ctrl-C into a
// cooperative stop of the run.
#include <chrono>
#include <stop_token>

#include "train/observer.h"

namespace scns::cli {

class ProgressPrinter final : public TrainingObserver {
public:
    // Quiet: prints nothing, only turns Ctrl-C and SIGTERM into the stop (the ranks other than 0
    // of a data-parallel run).
    enum Mode { Verbose, Quiet };
    explicit ProgressPrinter(std::stop_source& stop, Mode mode = Verbose);
    ~ProgressPrinter() override;

    void onRunBegin(const RunStartInfo& info) override;
    void onBatchEnd(const BatchProgress& p) override;
    void onEpochEnd(const EpochSummary& s) override;
    void onRunEnd(const RunResult& r) override;
    void onNotice(const std::string& text) override;

private:
    void clearLine();
    std::stop_source& m_stop;
    bool m_tty;
    bool m_quiet;
    bool m_lineOpen = false;
    std::int64_t m_epochs = 0;
    std::chrono::steady_clock::time_point m_lastDraw{};
};

std::string formatDuration(double seconds);

}  // namespace scns::cli
