#pragma once
// Running a program as a user would, for the CLI tests: its exit code and both outputs.
#include <QProcess>
#include <QString>
#include <QStringList>

namespace scns::test {

struct Result {
    int exitCode = -1;  // -1 when it crashed or ran past the timeout
    QString out, err;
};

inline Result run(const QString& program, const QStringList& args, int timeoutMs = 300000)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs))
        p.kill();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace scns::test
