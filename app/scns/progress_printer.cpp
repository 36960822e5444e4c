#include "progress_printer.h"

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace scns::cli {

namespace {
volatile std::sig_atomic_t g_interrupted = 0;
void onSigint(int) { g_interrupted = 1; }
}  // namespace

std::string formatDuration(double seconds)
{
    if (!(seconds >= 0) || seconds > 1e7)
        return "--:--";
    const long s = static_cast<long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

ProgressPrinter::ProgressPrinter(std::stop_source& stop, Mode mode)
    : m_stop(stop)
    , m_tty(::isatty(STDOUT_FILENO) != 0)
    , m_quiet(mode == Quiet)
{
    g_interrupted = 0;
    std::signal(SIGINT, onSigint);
    std::signal(SIGTERM, onSigint);
}

ProgressPrinter::~ProgressPrinter()
{
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

void ProgressPrinter::clearLine()
{
    if (m_lineOpen) {
        std::printf("\r\033[K");
        m_lineOpen = false;
    }
}

void ProgressPrinter::onRunBegin(const RunStartInfo& info)
{
    m_epochs = info.epochs;
    if (m_quiet)
        return;
    const std::string processes =
        info.processes > 1 ? " in each of " + std::to_string(info.processes) + " processes" : std::string();
    std::printf("run %lld: %lld train / %lld test images, %lld classes, %lld parameters, device %s, %lld threads%s%s\n",
                static_cast<long long>(info.runId), static_cast<long long>(info.trainSize),
                static_cast<long long>(info.testSize), static_cast<long long>(info.numClasses),
                static_cast<long long>(info.parameters), info.device.c_str(), static_cast<long long>(info.threads),
                processes.c_str(),
                info.startEpoch > 0 ? (", resuming after epoch " + std::to_string(info.startEpoch)).c_str() : "");
    std::fflush(stdout);
}

void ProgressPrinter::onBatchEnd(const BatchProgress& p)
{
    if (g_interrupted && !m_stop.stop_requested()) {
        clearLine();
        if (!m_quiet)
            std::printf("interrupt: stopping after this batch (the run stays resumable)\n");
        m_stop.request_stop();
    }
    if (!m_tty || m_quiet)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (p.batch != p.batchesPerEpoch && now - m_lastDraw < std::chrono::milliseconds(100))
        return;
    m_lastDraw = now;
    std::printf("\r\033[Kepoch %lld/%lld  batch %lld/%lld  loss %.4f  lr %.4g  %.0f img/s  ETA %s",
                static_cast<long long>(p.epoch), static_cast<long long>(m_epochs), static_cast<long long>(p.batch),
                static_cast<long long>(p.batchesPerEpoch), p.loss, p.lr, p.imagesPerSecond,
                formatDuration(p.etaSeconds).c_str());
    std::fflush(stdout);
    m_lineOpen = true;
}

void ProgressPrinter::onEpochEnd(const EpochSummary& s)
{
    if (m_quiet)
        return;
    clearLine();
    std::printf("epoch %lld/%lld  train loss %.4f  train top-1 %.2f%%  test loss %.4f  test top-1 %.2f%%  top-5 %.2f%%  "
                "%.0f img/s  %.1fs (+%.1fs eval)  data wait %.1f%%\n",
                static_cast<long long>(s.epoch), static_cast<long long>(m_epochs), s.trainLoss, s.trainTop1, s.testLoss,
                s.testTop1, s.testTop5, s.imagesPerSecond, s.seconds, s.evalSeconds, 100.0 * s.dataWaitShare);
    std::fflush(stdout);
}

void ProgressPrinter::onRunEnd(const RunResult& r)
{
    if (m_quiet)
        return;
    clearLine();
    std::fflush(stdout);
}

void ProgressPrinter::onNotice(const std::string& text)
{
    if (m_quiet)
        return;
    clearLine();
    std::fflush(stdout);
    std::fprintf(stderr, "note: %s\n", text.c_str());
}

}  // namespace scns::cli
