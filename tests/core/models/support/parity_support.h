#pragma once
// Helpers of the weights tests: running tests/core/models/parity_tool.py with the reference
// Python (SCNS_TEST_PYTHON, which has torch), comparing logits and catching error messages.
#include <QProcess>
#include <QString>
#include <QStringList>

#include <functional>
#include <limits>
#include <string>

#include <torch/types.h>

#include "common/errors.h"

namespace scns::test {

inline const QString kParityTool = QStringLiteral(SCNS_SOURCE_DIR "/tests/core/models/parity_tool.py");

// Runs parity_tool.py with args; empty on success, else the exit code and output for QVERIFY2.
inline QString runParityTool(const QStringList& args)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(SCNS_TEST_PYTHON), QStringList{kParityTool} + args);
    if (!process.waitForFinished(300000))
        return QStringLiteral("python did not finish: ") + process.errorString();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return QStringLiteral("python %1 failed (exit %2): %3")
            .arg(args.join(' '))
            .arg(process.exitCode())
            .arg(QString::fromLocal8Bit(process.readAll()));
    return {};
}

// max |a - b|, or +inf when the shapes differ.
inline double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b)
{
    if (!a.sizes().equals(b.sizes()))
        return std::numeric_limits<double>::infinity();
    if (a.numel() == 0)
        return 0.0;
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

// The CheckpointError message `f` throws; "<no error>" when it returns, "<other: ...>" for
// any other exception.
inline QString checkpointErrorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const CheckpointError& e) {
        return QString::fromUtf8(e.what());
    } catch (const std::exception& e) {
        return QStringLiteral("<other: %1>").arg(QString::fromUtf8(e.what()));
    }
    return QStringLiteral("<no error>");
}

}  // namespace scns::test
