#pragma once
// Tests of data-parallel code start real ranks: copies of the test program (or of `scns`) that
// talk c10d over loopback. These helpers find a free port and start the copies.
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QList>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <vector>

namespace scns::test {

// A TCP port on 127.0.0.1 that was free a moment ago.
inline int freeLoopbackPort()
{
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0
        || ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (s >= 0)
            ::close(s);
        return 29533;
    }
    const int port = ntohs(a.sin_port);
    ::close(s);
    return port;
}

// Starts `world` copies of `program` (default: this test program) with `arguments`, each with
// torchrun's variables for its rank on one free port, one thread each, and whatever `more`
// adds to its environment. Returns them running, output merged.
inline std::vector<std::unique_ptr<QProcess>>
startRanks(int world, const std::function<void(int rank, QProcessEnvironment&)>& more, QString program = {},
           const QStringList& arguments = {})
{
    if (program.isEmpty())
        program = QCoreApplication::applicationFilePath();
    const QString port = QString::number(freeLoopbackPort());
    std::vector<std::unique_ptr<QProcess>> ranks;
    for (int r = 0; r < world; ++r) {
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("WORLD_SIZE", QString::number(world));
        env.insert("RANK", QString::number(r));
        env.insert("LOCAL_RANK", QString::number(r));
        env.insert("LOCAL_WORLD_SIZE", QString::number(world));
        env.insert("MASTER_ADDR", "127.0.0.1");
        env.insert("MASTER_PORT", port);
        env.insert("OMP_NUM_THREADS", "1");
        if (more)
            more(r, env);
        p->setProcessEnvironment(env);
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->start(program, arguments);
        ranks.push_back(std::move(p));
    }
    return ranks;
}

// Processes other than this one whose command line contains `text` (the ranks of a run on a
// store: its path is on their command lines).
inline QList<int> processesNaming(const QString& text)
{
    QList<int> pids;
    for (const QString& entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool ok = false;
        const int pid = entry.toInt(&ok);
        if (!ok || pid == QCoreApplication::applicationPid())
            continue;
        QFile f(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (f.open(QIODevice::ReadOnly) && f.readAll().contains(text.toUtf8()))
            pids << pid;
    }
    return pids;
}

}  // namespace scns::test
